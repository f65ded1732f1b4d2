//! Billing rates: firm administration writes them (`users:update` firm-wide);
//! everyone with `time-entries:read` reads their own, administrators and
//! holders of `invoices:read` everyone's. Rates are never edited: a new row
//! with a later `effectiveFrom` supersedes, and entries keep the rate frozen
//! on them when they were created.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{created, today};
use crate::access::{self, INV_READ, TE_READ, USERS_UPDATE};
use crate::input::lists::{RateQuery, TimePosition, cursor, limit};
use crate::input::rates::CreateRate;
use crate::model::Rate;
use crate::state::BillingState;
use crate::storage::rates;

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<CreateRate>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::administrator(&state.authz, &tenant).await?;
    let body = body.into_inner();
    body.validate()?;
    if let Some(matter) = body.matter_id {
        state
            .remote
            .matter(tenant.firm_id, matter, "matterId")
            .await?;
    }
    let rate = Rate {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        user_id: body.user_id.unwrap_or_default(),
        matter_id: body.matter_id,
        activity_code: body.activity_code,
        rate_minor: body.rate_minor.unwrap_or_default(),
        currency: body.currency.unwrap_or_default(),
        effective_from: body.effective_from.unwrap_or_else(today),
        created_by: caller.me,
        created_at: Utc::now(),
    };
    let rate = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            if let Some(code) = &rate.activity_code {
                rates::require_code(conn, code, "activityCode").await?;
            }
            rates::insert(conn, rate).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/rates/{}", rate.id),
        None,
        &rate,
    ))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<RateQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    let mut errors = lawos_core::validation::FieldErrors::new();
    let limit = limit(&mut errors, query.limit);
    errors.into_result()?;
    let after: Option<TimePosition> = cursor(&cursors, query.cursor.as_deref())?;
    let sees_all = caller.reaches_firm(USERS_UPDATE) || caller.reaches_firm(INV_READ);
    // Without administration or invoices:read, only one's own rates.
    let user = if sees_all {
        query.user_id
    } else {
        caller.me.or(query.user_id)
    };
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        rates::list(conn, user, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |r: &Rate| {
        cursors.encode(&TimePosition {
            at: r.created_at,
            id: r.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}
