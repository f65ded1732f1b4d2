//! A time entry's lifecycle: submit (its owner, or reach with
//! `time-entries:submit`), approve and reject (the matter's lead attorney, a
//! FIRM_ADMIN or a holder of `time-entries:approve`). Each move writes
//! `time_entry.submitted|approved|rejected` under the matter in the same transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::entries::visible;
use super::respond;
use crate::access::{self, Caller, TE_READ, TE_SUBMIT, TIME_ENTRY, approve_denied};
use crate::events;
use crate::input::time::Reject;
use crate::lifecycle::{Status, check_move};
use crate::model::TimeEntry;
use crate::state::BillingState;
use crate::storage::entries;

fn event_data(e: &TimeEntry) -> serde_json::Value {
    json!({
        "timeEntryId": e.id,
        "matterId": e.matter_id,
        "userId": e.user_id,
        "durationMinutes": e.duration_minutes,
        "totalAmountMinor": e.total_amount_minor,
        "currency": e.currency,
        "status": e.status,
        "rejectionReason": e.rejection_reason,
    })
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn submit(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_SUBMIT).await?;
    let firm = tenant.firm_id.0;
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_SUBMIT, id, true).await?;
            check_move("time entry", e.status(), Status::Submitted)?;
            e.status = Status::Submitted.as_str().to_owned();
            e.submitted_at = Some(Utc::now());
            let e = entries::save(conn, &e).await?;
            let entity = EntityRef::new("time_entry", e.id);
            events::enqueue(
                conn,
                firm,
                events::TIME_ENTRY_SUBMITTED,
                entity,
                Some(e.matter_id),
                event_data(&e),
            )
            .await?;
            Ok(e)
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &entry.etag(), &entry))
}

/// Whether the caller approves `entry`: by scope or role, else as the
/// matter's lead attorney (403 otherwise).
pub(crate) async fn require_approver(
    state: &BillingState,
    tenant: &Tenant,
    caller: &Caller,
    kind: &'static str,
    id: Uuid,
    matter: Uuid,
) -> Result<(), ApiError> {
    if caller.approves_by_scope(kind, id, matter) {
        return Ok(());
    }
    match caller.me {
        Some(me) if state.remote.leads(tenant.firm_id, matter, me).await? => Ok(()),
        _ => Err(approve_denied()),
    }
}

async fn decide(
    state: web::Data<BillingState>,
    tenant: Tenant,
    id: Uuid,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    // Visibility first (404), then who approves (403), then the move (409).
    let seen = with_tenant(&state.db, &tenant.ctx(), |conn| {
        let caller = caller.clone();
        async move { visible(conn, &caller, TE_READ, id, false).await }.scope_boxed()
    })
    .await?;
    require_approver(&state, &tenant, &caller, TIME_ENTRY, id, seen.matter_id).await?;
    let (firm, by) = (tenant.firm_id.0, caller.me);
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_READ, id, true).await?;
            let to = if reason.is_some() {
                Status::Rejected
            } else {
                Status::Approved
            };
            check_move("time entry", e.status(), to)?;
            let now = Utc::now();
            e.status = to.as_str().to_owned();
            let event = if let Some(reason) = reason {
                (e.rejected_by, e.rejected_at, e.rejection_reason) = (by, Some(now), Some(reason));
                events::TIME_ENTRY_REJECTED
            } else {
                (e.approved_by, e.approved_at, e.rejection_reason) = (by, Some(now), None);
                events::TIME_ENTRY_APPROVED
            };
            let e = entries::save(conn, &e).await?;
            let entity = EntityRef::new("time_entry", e.id);
            events::enqueue(conn, firm, event, entity, Some(e.matter_id), event_data(&e)).await?;
            Ok(e)
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &entry.etag(), &entry))
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn approve(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    decide(state, tenant, path.into_inner(), None).await
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn reject(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Reject>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().validate()?;
    decide(state, tenant, path.into_inner(), Some(reason)).await
}
