//! Credit notes against an issued invoice: append-only, numbered gap-free per
//! firm and year, at most the invoice's balance; `credit_note.issued`.

use actix_web::{HttpResponse, web};
use chrono::{Datelike, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::invoices::reach;
use super::{created, today};
use crate::access::{self, INV_READ, INV_UPDATE};
use crate::events;
use crate::input::invoices::CreateCreditNote;
use crate::model::CreditNote;
use crate::schema::credit_notes as cn;
use crate::state::BillingState;
use crate::storage::invoices;
use crate::storage::numbers::{self, Kind};

#[derive(Debug, Serialize, JsonSchema)]
pub struct CreditNoteList {
    pub data: Vec<CreditNote>,
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<CreateCreditNote>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let (amount, reason) = body.into_inner().validate()?;
    let firm = tenant.firm_id.0;
    let note = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let invoice = reach(conn, &caller, INV_UPDATE, id, true).await?;
            let (status, balance) = invoices::balance(conn, id).await?;
            if !matches!(status.as_str(), "ISSUED" | "PARTIALLY_PAID") {
                return Err(ApiError::new(ErrorCode::InvalidStatusTransition, format!("A {status} invoice takes no credit note")));
            }
            if amount > balance.balance_minor {
                return Err(FieldErrors::single("amountMinor", ErrorCode::InvalidFieldFormat, "exceeds the invoice's balance").into());
            }
            let number = numbers::next(conn, firm, Kind::CreditNote, today().year()).await?;
            let note: CreditNote = diesel::insert_into(cn::table)
                .values(CreditNote {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    invoice_id: id,
                    credit_note_number: number,
                    amount_minor: amount,
                    currency: invoice.currency.clone(),
                    reason,
                    issued_by: caller.me,
                    created_at: Utc::now(),
                })
                .returning(CreditNote::as_returning())
                .get_result(conn)
                .await?;
            let data = json!({
                "creditNoteId": note.id, "creditNoteNumber": note.credit_note_number, "invoiceId": id,
                "invoiceNumber": invoice.invoice_number, "matterId": invoice.matter_id, "clientId": invoice.client_id,
                "amountMinor": amount, "currency": note.currency, "reason": note.reason,
            });
            let entity = EntityRef::new("credit_note", note.id);
            events::enqueue(conn, firm, events::CREDIT_NOTE_ISSUED, entity, Some(invoice.matter_id), data).await?;
            Ok(note)
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/invoices/{id}/credit-notes"),
        None,
        &note,
    ))
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn list(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            reach(conn, &caller, INV_READ, id, false).await?;
            Ok(cn::table
                .filter(cn::invoice_id.eq(id))
                .order((cn::created_at.asc(), cn::id.asc()))
                .select(CreditNote::as_select())
                .load(conn)
                .await?)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(CreditNoteList { data }))
}
