//! Recording a payment and allocating it across invoices. Every invoice is
//! locked (in id order, so concurrent allocations cannot deadlock) and checked
//! against its derived balance, the payment against what it left unapplied;
//! each allocation is a new row with its `payment_events` row, and the
//! recording transaction writes `payment.received`.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::created;
use crate::access::{self, Caller, INV_UPDATE};
use crate::events;
use crate::input::payments::{Allocate, RecordPayment};
use crate::model::{Allocation, Payment, PaymentEvent};
use crate::state::BillingState;
use crate::storage::invoices;
use crate::storage::payments::{self as stored, not_found};

pub(crate) fn event(
    firm: Uuid,
    payment: Uuid,
    kind: &str,
    invoice: Option<Uuid>,
    amount: i64,
    by: Option<Uuid>,
    data: serde_json::Value,
) -> PaymentEvent {
    PaymentEvent {
        id: Uuid::now_v7(),
        firm_id: firm,
        payment_id: payment,
        event_type: kind.into(),
        invoice_id: invoice,
        amount_minor: amount,
        data,
        actor_user_id: by,
        created_at: Utc::now(),
    }
}

fn bad(field: String, message: &str) -> ApiError {
    FieldErrors::single(&field, ErrorCode::InvalidFieldFormat, message).into()
}

/// Allocates `payment` over `(invoice, amount)` pairs (`allocations[i]` in
/// errors); answers the matters of the invoices paid.
pub(crate) async fn apply(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    payment: &Payment,
    pairs: &[(Uuid, i64)],
) -> Result<Vec<Uuid>, ApiError> {
    if payment.kind != "PAYMENT" {
        return Err(ApiError::new(
            ErrorCode::InvalidStatusTransition,
            "Only a payment is allocated, not a refund or reversal",
        ));
    }
    let (_, _, unapplied, reversed) = stored::balance(conn, payment.id).await?;
    if reversed {
        return Err(ApiError::new(
            ErrorCode::InvalidStatusTransition,
            "The payment was reversed",
        ));
    }
    let wanted: i64 = pairs.iter().map(|(_, a)| *a).sum();
    if wanted > unapplied {
        return Err(bad(
            "allocations".into(),
            "allocates more than the payment has unapplied",
        ));
    }
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by_key(|i| pairs[*i].0);
    let mut matters = Vec::new();
    for i in order {
        let (invoice_id, amount) = pairs[i];
        let field = format!("allocations[{i}].invoiceId");
        let invoice = invoices::lock(conn, invoice_id).await?.ok_or_else(|| {
            ApiError::from(FieldErrors::single(
                &field,
                ErrorCode::ResourceNotFound,
                "no such invoice",
            ))
        })?;
        caller
            .require_invoice(INV_UPDATE, invoice_id, invoice.matter_id)
            .map_err(|_| {
                ApiError::from(FieldErrors::single(
                    &field,
                    ErrorCode::ResourceNotFound,
                    "no such invoice in your reach",
                ))
            })?;
        if invoice.client_id != payment.client_id {
            return Err(bad(field, "the invoice is another client's"));
        }
        if invoice.currency != payment.currency {
            return Err(bad(field, "the invoice is in another currency"));
        }
        let (status, balance) = invoices::balance(conn, invoice_id).await?;
        if !matches!(status.as_str(), "ISSUED" | "PARTIALLY_PAID") {
            return Err(bad(
                field,
                "only an issued invoice with a balance takes payments",
            ));
        }
        if amount > balance.balance_minor {
            return Err(bad(
                format!("allocations[{i}].amountMinor"),
                "exceeds the invoice's balance",
            ));
        }
        let by = caller.me;
        stored::insert_allocation(
            conn,
            Allocation {
                id: Uuid::now_v7(),
                firm_id: payment.firm_id,
                payment_id: payment.id,
                invoice_id,
                kind: "ALLOCATION".into(),
                amount_minor: amount,
                created_by: by,
                created_at: Utc::now(),
            },
        )
        .await?;
        let data = json!({ "invoiceNumber": invoice.invoice_number });
        stored::insert_event(
            conn,
            event(
                payment.firm_id,
                payment.id,
                "ALLOCATED",
                Some(invoice_id),
                amount,
                by,
                data,
            ),
        )
        .await?;
        if !matters.contains(&invoice.matter_id) {
            matters.push(invoice.matter_id);
        }
    }
    Ok(matters)
}

/// `payment.received`, filed under the matter when the payment went to one matter's invoices.
pub(crate) async fn received(
    conn: &mut AsyncPgConnection,
    payment: &Payment,
    matters: &[Uuid],
    invoices: &[Uuid],
) -> Result<(), ApiError> {
    let data = json!({
        "paymentId": payment.id,
        "clientId": payment.client_id,
        "matterIds": matters,
        "invoiceIds": invoices,
        "amountMinor": payment.amount_minor,
        "currency": payment.currency,
        "method": payment.method,
        "recordedBy": payment.recorded_by,
    });
    let context = if let [one] = matters {
        Some(*one)
    } else {
        None
    };
    events::enqueue(
        conn,
        payment.firm_id,
        events::PAYMENT_RECEIVED,
        EntityRef::new("payment", payment.id),
        context,
        data,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn record(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<RecordPayment>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let v = body.into_inner().validate()?;
    state
        .remote
        .client(tenant.firm_id, v.client_id, "clientId")
        .await?;
    let firm = tenant.firm_id.0;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let payment = stored::insert(
                conn,
                Payment {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    client_id: v.client_id,
                    kind: "PAYMENT".into(),
                    original_payment_id: None,
                    method: v.method,
                    amount_minor: v.amount_minor,
                    currency: v.currency,
                    received_on: v.received_on,
                    reference: v.reference,
                    notes: v.notes,
                    recorded_by: caller.me,
                    created_at: Utc::now(),
                },
            )
            .await?;
            let data = json!({ "method": payment.method, "reference": payment.reference });
            stored::insert_event(
                conn,
                event(
                    firm,
                    payment.id,
                    "RECORDED",
                    None,
                    payment.amount_minor,
                    caller.me,
                    data,
                ),
            )
            .await?;
            let matters = apply(conn, &caller, &payment, &v.allocations).await?;
            let ids: Vec<Uuid> = v.allocations.iter().map(|(i, _)| *i).collect();
            received(conn, &payment, &matters, &ids).await?;
            stored::view(conn, payment).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/payments/{}", view.payment.id),
        None,
        &view,
    ))
}

#[tracing::instrument(skip_all, fields(payment_id = %path))]
pub async fn allocate(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Allocate>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let pairs = body.into_inner().validate()?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let payment = stored::lock(conn, id).await?.ok_or_else(|| not_found(id))?;
            apply(conn, &caller, &payment, &pairs).await?;
            stored::view(conn, payment).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
