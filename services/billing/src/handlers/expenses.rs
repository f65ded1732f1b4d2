//! Expenses: the time entries' rules (one's own always, others by reach with
//! the `time-entries:*` scopes) and their approval lifecycle, with
//! `expense.submitted|approved|rejected` under the matter.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::entries::matter_for_new;
use super::entry_flow::require_approver;
use super::{check_fresh, created, if_match, respond, today, user_of};
use crate::access::{self, Caller, EXPENSE, TE_CREATE, TE_READ, TE_SUBMIT, TE_UPDATE};
use crate::events;
use crate::input::expenses::{CreateExpense, UpdateExpense};
use crate::input::lists::{DatePosition, EntryQuery};
use crate::input::time::Reject;
use crate::lifecycle::{Status, check_editable, check_move};
use crate::model::Expense;
use crate::state::BillingState;
use crate::storage::expenses;

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Expense", id)
}

async fn visible(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    scope: &str,
    id: Uuid,
    lock: bool,
) -> Result<Expense, ApiError> {
    let e = if lock {
        expenses::lock(conn, id).await?
    } else {
        expenses::find(conn, id).await?
    }
    .ok_or_else(|| not_found(id))?;
    caller.require_on(scope, EXPENSE, id, e.matter_id, e.user_id)?;
    Ok(e)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<CreateExpense>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_CREATE).await?;
    let me = user_of(&tenant)?;
    let v = body.into_inner().validate(today())?;
    matter_for_new(&state, &tenant, &caller, TE_CREATE, EXPENSE, v.matter_id).await?;
    let now = Utc::now();
    let row = Expense {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        user_id: me,
        matter_id: v.matter_id,
        category: v.category,
        description: v.description,
        amount_minor: v.amount_minor,
        currency: v.currency,
        incurred_on: v.incurred_on,
        receipt_document_id: v.receipt_document_id,
        is_billable: v.is_billable,
        status: Status::Draft.as_str().into(),
        submitted_at: None,
        approved_by: None,
        approved_at: None,
        rejected_by: None,
        rejected_at: None,
        rejection_reason: None,
        invoice_id: None,
        created_by: Some(me),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let e = with_tenant(&state.db, &tenant.ctx(), |conn| {
        expenses::insert(conn, row).scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/expenses/{}", e.id),
        Some(&e.etag()),
        &e,
    ))
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    let e = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { visible(conn, &caller, TE_READ, id, false).await }.scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &e.etag(), &e))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<EntryQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    let visible = caller.matter_filter(TE_READ)?;
    let filter = query.into_inner().validate(&cursors, caller.me)?;
    let (me, limit) = (caller.me, filter.limit);
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { expenses::list(conn, &filter, &visible, me).await }.scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |e: &Expense| {
        cursors.encode(&DatePosition {
            date: e.incurred_on,
            id: e.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn update(
    state: web::Data<BillingState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateExpense>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_UPDATE).await?;
    let patch = body.into_inner().validate()?;
    let expected = if_match(&req);
    let e = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_UPDATE, id, true).await?;
            check_editable("expense", e.status())?;
            check_fresh(expected.as_deref(), &e.etag())?;
            e.category = patch.category.unwrap_or(e.category);
            e.description = patch.description.unwrap_or(e.description);
            e.amount_minor = patch.amount_minor.unwrap_or(e.amount_minor);
            e.incurred_on = patch.incurred_on.unwrap_or(e.incurred_on);
            e.receipt_document_id = patch.receipt_document_id.unwrap_or(e.receipt_document_id);
            e.is_billable = patch.is_billable.unwrap_or(e.is_billable);
            e.status = Status::Draft.as_str().into();
            expenses::save(conn, &e).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &e.etag(), &e))
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn delete(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_UPDATE).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_UPDATE, id, true).await?;
            check_editable("expense", e.status())?;
            e.deleted_at = Some(Utc::now());
            expenses::save(conn, &e).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves an expense to `to` (SUBMITTED, APPROVED or REJECTED with `reason`).
async fn step(
    state: web::Data<BillingState>,
    tenant: Tenant,
    id: Uuid,
    to: Status,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = if to == Status::Submitted {
        TE_SUBMIT
    } else {
        TE_READ
    };
    let caller = access::caller(&state.authz, &tenant, scope).await?;
    if to != Status::Submitted {
        let seen = with_tenant(&state.db, &tenant.ctx(), |conn| {
            let caller = caller.clone();
            async move { visible(conn, &caller, TE_READ, id, false).await }.scope_boxed()
        })
        .await?;
        require_approver(&state, &tenant, &caller, EXPENSE, id, seen.matter_id).await?;
    }
    let (firm, by) = (tenant.firm_id.0, caller.me);
    let e = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, scope, id, true).await?;
            check_move("expense", e.status(), to)?;
            let now = Utc::now();
            let event = match to {
                Status::Submitted => {
                    e.submitted_at = Some(now);
                    events::EXPENSE_SUBMITTED
                }
                Status::Rejected => {
                    (e.rejected_by, e.rejected_at, e.rejection_reason) = (by, Some(now), reason);
                    events::EXPENSE_REJECTED
                }
                _ => {
                    (e.approved_by, e.approved_at, e.rejection_reason) = (by, Some(now), None);
                    events::EXPENSE_APPROVED
                }
            };
            e.status = to.as_str().into();
            let e = expenses::save(conn, &e).await?;
            let data = json!({
                "expenseId": e.id, "matterId": e.matter_id, "userId": e.user_id,
                "amountMinor": e.amount_minor, "currency": e.currency, "status": e.status,
                "rejectionReason": e.rejection_reason,
            });
            events::enqueue(
                conn,
                firm,
                event,
                EntityRef::new("expense", e.id),
                Some(e.matter_id),
                data,
            )
            .await?;
            Ok(e)
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &e.etag(), &e))
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn submit(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    step(state, tenant, path.into_inner(), Status::Submitted, None).await
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn approve(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    step(state, tenant, path.into_inner(), Status::Approved, None).await
}

#[tracing::instrument(skip_all, fields(expense_id = %path))]
pub async fn reject(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Reject>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().validate()?;
    step(
        state,
        tenant,
        path.into_inner(),
        Status::Rejected,
        Some(reason),
    )
    .await
}
