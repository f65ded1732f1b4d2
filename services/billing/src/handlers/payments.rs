//! Payments as recorded (with what they left unapplied, their allocations and
//! history), and the corrections, each a new row: taking money back off an
//! invoice (DEALLOCATION), a refund of unapplied money (REFUND), a reversal of
//! the whole payment (its allocations taken back, then a REVERSAL row).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::payment_flow::event;
use super::{created, today};
use crate::access::{self, INV_READ, INV_UPDATE};
use crate::input::invoices::Reason;
use crate::input::lists::{ClientQuery, TimePosition};
use crate::input::payments::{Deallocate, Refund};
use crate::model::{Allocation, Payment};
use crate::state::BillingState;
use crate::storage::invoices;
use crate::storage::payments::{self as stored, not_found};

#[tracing::instrument(skip_all, fields(payment_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let p = stored::find(conn, id).await?.ok_or_else(|| not_found(id))?;
            stored::view(conn, p).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, INV_READ).await?;
    let (after, limit) = query.validate(&cursors)?;
    let client = query.client_id;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        stored::list(conn, client, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |p: &Payment| {
        cursors.encode(&TimePosition {
            at: p.created_at,
            id: p.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

fn deallocation(p: &Payment, invoice: Uuid, amount: i64, by: Option<Uuid>) -> Allocation {
    Allocation {
        id: Uuid::now_v7(),
        firm_id: p.firm_id,
        payment_id: p.id,
        invoice_id: invoice,
        kind: "DEALLOCATION".into(),
        amount_minor: amount,
        created_by: by,
        created_at: Utc::now(),
    }
}

#[tracing::instrument(skip_all, fields(payment_id = %path))]
pub async fn deallocate(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Deallocate>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let (invoice, amount) = body.validate()?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let p = stored::lock(conn, id).await?.ok_or_else(|| not_found(id))?;
            let inv = invoices::lock(conn, invoice).await?.ok_or_else(|| {
                ApiError::from(FieldErrors::single(
                    "invoiceId",
                    ErrorCode::ResourceNotFound,
                    "no such invoice",
                ))
            })?;
            caller.require_invoice(INV_UPDATE, invoice, inv.matter_id)?;
            if stored::allocated_on(conn, id, invoice).await? < amount {
                return Err(FieldErrors::single(
                    "amountMinor",
                    ErrorCode::InvalidFieldFormat,
                    "exceeds what the payment has on this invoice",
                )
                .into());
            }
            stored::insert_allocation(conn, deallocation(&p, invoice, amount, caller.me)).await?;
            stored::insert_event(
                conn,
                event(
                    p.firm_id,
                    id,
                    "DEALLOCATED",
                    Some(invoice),
                    amount,
                    caller.me,
                    json!({}),
                ),
            )
            .await?;
            stored::view(conn, p).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

fn returned(
    p: &Payment,
    kind: &str,
    amount: i64,
    on: chrono::NaiveDate,
    reference: Option<String>,
    notes: Option<String>,
    by: Option<Uuid>,
) -> Payment {
    Payment {
        id: Uuid::now_v7(),
        firm_id: p.firm_id,
        client_id: p.client_id,
        kind: kind.into(),
        original_payment_id: Some(p.id),
        method: p.method.clone(),
        amount_minor: amount,
        currency: p.currency.clone(),
        received_on: on,
        reference,
        notes,
        recorded_by: by,
        created_at: Utc::now(),
    }
}

#[tracing::instrument(skip_all, fields(payment_id = %path))]
pub async fn refund(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Refund>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let amount = body.validate()?;
    let body = body.into_inner();
    let row = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let p = stored::lock(conn, id)
                .await?
                .filter(|p| p.kind == "PAYMENT")
                .ok_or_else(|| not_found(id))?;
            let (_, _, unapplied, reversed) = stored::balance(conn, id).await?;
            if reversed || amount > unapplied {
                return Err(FieldErrors::single(
                    "amountMinor",
                    ErrorCode::InvalidFieldFormat,
                    "exceeds what the payment has unapplied (deallocate first)",
                )
                .into());
            }
            let on = body.refunded_on.unwrap_or_else(today);
            let r = stored::insert(
                conn,
                returned(
                    &p,
                    "REFUND",
                    amount,
                    on,
                    body.reference,
                    body.notes,
                    caller.me,
                ),
            )
            .await?;
            stored::insert_event(
                conn,
                event(
                    p.firm_id,
                    id,
                    "REFUNDED",
                    None,
                    amount,
                    caller.me,
                    json!({ "refundId": r.id }),
                ),
            )
            .await?;
            stored::view(conn, r).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/payments/{}", row.payment.id),
        None,
        &row,
    ))
}

/// Reverses a payment (a bounced check, a chargeback): every allocation is
/// taken back, then a REVERSAL row returns what was not refunded already.
#[tracing::instrument(skip_all, fields(payment_id = %path))]
pub async fn reverse(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let reason = body.into_inner().validate()?;
    let row = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let p = stored::lock(conn, id)
                .await?
                .filter(|p| p.kind == "PAYMENT")
                .ok_or_else(|| not_found(id))?;
            let (_, returned_minor, _, reversed) = stored::balance(conn, id).await?;
            if reversed || returned_minor >= p.amount_minor {
                return Err(ApiError::new(
                    ErrorCode::InvalidStatusTransition,
                    "The payment was already reversed or refunded in full",
                ));
            }
            let mut on_invoice: BTreeMap<Uuid, i64> = BTreeMap::new();
            for a in stored::allocations(conn, id).await? {
                *on_invoice.entry(a.invoice_id).or_default() += if a.kind == "ALLOCATION" {
                    a.amount_minor
                } else {
                    -a.amount_minor
                };
            }
            for (invoice, amount) in on_invoice.into_iter().filter(|(_, a)| *a > 0) {
                invoices::lock(conn, invoice).await?;
                stored::insert_allocation(conn, deallocation(&p, invoice, amount, caller.me))
                    .await?;
                stored::insert_event(
                    conn,
                    event(
                        p.firm_id,
                        id,
                        "DEALLOCATED",
                        Some(invoice),
                        amount,
                        caller.me,
                        json!({ "reversal": true }),
                    ),
                )
                .await?;
            }
            let amount = p.amount_minor - returned_minor;
            let r = stored::insert(
                conn,
                returned(
                    &p,
                    "REVERSAL",
                    amount,
                    today(),
                    None,
                    Some(reason.clone()),
                    caller.me,
                ),
            )
            .await?;
            stored::insert_event(
                conn,
                event(
                    p.firm_id,
                    id,
                    "REVERSED",
                    None,
                    amount,
                    caller.me,
                    json!({ "reversalId": r.id, "reason": reason }),
                ),
            )
            .await?;
            stored::view(conn, p).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(row))
}
