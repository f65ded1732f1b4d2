//! Reports (`invoices:read`): work in progress and aged receivables, per
//! matter and currency, with the firm's totals per currency.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;

use super::today;
use crate::access::{self, INV_READ};
use crate::input::lists::ReportQuery;
use crate::state::BillingState;
use crate::storage::reports::{self, AgedRow, WipRow};

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub currency: String,
    pub total_minor: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WipReport {
    pub data: Vec<WipRow>,
    pub totals: Vec<Total>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgedReport {
    pub as_of: NaiveDate,
    pub data: Vec<AgedRow>,
    pub totals: Vec<AgedRow>,
}

fn totals(rows: impl Iterator<Item = (String, i64)>) -> Vec<Total> {
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for (c, t) in rows {
        *by.entry(c).or_default() += t;
    }
    by.into_iter()
        .map(|(currency, total_minor)| Total {
            currency,
            total_minor,
        })
        .collect()
}

#[tracing::instrument(skip_all)]
pub async fn wip(
    state: web::Data<BillingState>,
    tenant: Tenant,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let visible = caller.matter_filter(INV_READ)?;
    let matter = query.matter_id;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { reports::wip(conn, &visible, matter).await }.scope_boxed()
    })
    .await?;
    let totals = totals(data.iter().map(|r| (r.currency.clone(), r.total_minor)));
    Ok(HttpResponse::Ok().json(WipReport { data, totals }))
}

#[tracing::instrument(skip_all)]
pub async fn aged(
    state: web::Data<BillingState>,
    tenant: Tenant,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let visible = caller.matter_filter(INV_READ)?;
    let (matter, as_of) = (query.matter_id, query.as_of.unwrap_or_else(today));
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { reports::aged(conn, &visible, matter, as_of).await }.scope_boxed()
    })
    .await?;
    let mut by: BTreeMap<String, AgedRow> = BTreeMap::new();
    for r in &data {
        let t = by.entry(r.currency.clone()).or_insert_with(|| AgedRow {
            matter_id: uuid::Uuid::nil(),
            currency: r.currency.clone(),
            invoices: 0,
            days_0_30_minor: 0,
            days_31_60_minor: 0,
            days_61_90_minor: 0,
            days_over_90_minor: 0,
            total_minor: 0,
        });
        t.invoices += r.invoices;
        t.days_0_30_minor += r.days_0_30_minor;
        t.days_31_60_minor += r.days_31_60_minor;
        t.days_61_90_minor += r.days_61_90_minor;
        t.days_over_90_minor += r.days_over_90_minor;
        t.total_minor += r.total_minor;
    }
    Ok(HttpResponse::Ok().json(AgedReport {
        as_of,
        data,
        totals: by.into_values().collect(),
    }))
}
