//! The three-way reconciliation of a trust account for a period: the bank
//! statement's balance (adjusted for deposits in transit and outstanding
//! checks) against the account's ledger and against the sum of its client
//! ledgers, all at the period's end (and, when the period reaches today, the
//! kept per-client balances too). Each reconciliation is recorded, append-only.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{created, today};
use crate::access::{self, INV_READ, INV_UPDATE};
use crate::input::trust::Reconcile;
use crate::model::Reconciliation;
use crate::state::BillingState;
use crate::storage::trust;

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReconciliationList {
    pub data: Vec<Reconciliation>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationQuery {
    pub account_id: Option<Uuid>,
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<Reconcile>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    body.validate()?;
    let b = body.into_inner();
    let (account, start, end) = (
        b.account_id.unwrap_or_default(),
        b.period_start.unwrap_or_default(),
        b.period_end.unwrap_or_default(),
    );
    let bank = b.bank_balance_minor.unwrap_or_default();
    let (in_transit, outstanding) = (
        b.deposits_in_transit_minor.unwrap_or(0),
        b.outstanding_checks_minor.unwrap_or(0),
    );
    let firm = tenant.firm_id.0;
    let rec = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            trust::account(conn, account).await?.ok_or_else(|| {
                ApiError::from(FieldErrors::single("accountId", ErrorCode::ResourceNotFound, "no such trust account"))
            })?;
            let (opening, deposits, withdrawals, ledger) = trust::period_sums(conn, account, start, end).await?;
            let clients = trust::client_ledgers(conn, account, end).await?;
            let client_total: i64 = clients.iter().map(|c| c.balance_minor).sum();
            let kept = if end >= today() { Some(trust::kept_total(conn, account).await?) } else { None };
            let adjusted = bank + in_transit - outstanding;
            let balanced = adjusted == ledger && ledger == client_total && kept.is_none_or(|k| k == ledger);
            let balances: Vec<_> = clients
                .iter()
                .map(|c| json!({ "clientId": c.client_id, "matterId": c.matter_id, "balanceMinor": c.balance_minor }))
                .collect();
            trust::insert_reconciliation(conn, Reconciliation {
                id: Uuid::now_v7(),
                firm_id: firm,
                account_id: account,
                period_start: start,
                period_end: end,
                bank_balance_minor: bank,
                deposits_in_transit_minor: in_transit,
                outstanding_checks_minor: outstanding,
                adjusted_bank_minor: adjusted,
                opening_ledger_minor: opening,
                period_deposits_minor: deposits,
                period_withdrawals_minor: withdrawals,
                ledger_balance_minor: ledger,
                client_ledgers_minor: client_total,
                kept_balances_minor: kept,
                client_balances: json!(balances),
                balanced,
                created_by: caller.me,
                created_at: Utc::now(),
            })
            .await
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/trust/reconciliations/{}", rec.id),
        None,
        &rec,
    ))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    tenant: Tenant,
    query: web::Query<ReconciliationQuery>,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let account = query.account_id;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        trust::reconciliations(conn, account).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(ReconciliationList { data }))
}

#[tracing::instrument(skip_all, fields(reconciliation_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let rec = with_tenant(&state.db, &tenant.ctx(), |conn| {
        trust::reconciliation(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| ApiError::not_found("Reconciliation", id))?;
    Ok(HttpResponse::Ok().json(rec))
}
