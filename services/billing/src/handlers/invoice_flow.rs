//! Issue (DRAFT → ISSUED: a gap-free number per firm and year, the due date,
//! the billed entries and expenses INVOICED in the same transaction,
//! `invoice.issued`, then the PDF) and void (ISSUED → VOID with a reason, the
//! entries and expenses back to APPROVED and free to bill again, `invoice.voided`).

use actix_web::{HttpResponse, web};
use chrono::{Datelike, Utc};
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::invoices::{answer, reach};
use super::today;
use crate::access::{self, INV_UPDATE};
use crate::events;
use crate::input::invoices::{IssueInvoice, Reason};
use crate::lifecycle::transition_error;
use crate::state::BillingState;
use crate::storage::invoices as stored;
use crate::storage::numbers::{self, Kind};
use crate::storage::{entries, expenses};

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn issue(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: Option<web::Json<IssueInvoice>>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let (issue_date, due_date) = body
        .map(|b| b.into_inner())
        .unwrap_or_default()
        .validate(today())?;
    let firm = tenant.firm_id.0;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut invoice = reach(conn, &caller, INV_UPDATE, id, true).await?;
            if invoice.status != "DRAFT" {
                return Err(transition_error(&invoice.status, "ISSUED"));
            }
            let (_, balance) = stored::balance(conn, id).await?;
            if balance.total_minor < 0 {
                return Err(ApiError::new(
                    ErrorCode::InvalidStatusTransition,
                    "An invoice cannot total less than zero",
                ));
            }
            let now = Utc::now();
            let number = numbers::next(conn, firm, Kind::Invoice, issue_date.year()).await?;
            invoice.invoice_number = Some(number.clone());
            invoice.status = "ISSUED".into();
            (invoice.issue_date, invoice.due_date) = (Some(issue_date), Some(due_date));
            (invoice.issued_at, invoice.issued_by) = (Some(now), caller.me);
            let invoice = stored::save(conn, &invoice).await?;
            entries::move_invoiced(conn, id, "APPROVED", "INVOICED", false, now).await?;
            expenses::move_invoiced(conn, id, "APPROVED", "INVOICED", false, now).await?;
            let data = json!({
                "invoiceId": id, "invoiceNumber": number, "matterId": invoice.matter_id,
                "clientId": invoice.client_id, "totalMinor": balance.total_minor,
                "currency": invoice.currency, "issueDate": issue_date, "dueDate": due_date,
            });
            let matter = Some(invoice.matter_id);
            events::enqueue(
                conn,
                firm,
                events::INVOICE_ISSUED,
                EntityRef::new("invoice", id),
                matter,
                data,
            )
            .await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(invoice_id = %id, number = ?view.invoice_number, "invoice issued");
    // The PDF after the commit; a failure is retried by the first GET …/pdf.
    if let Err(e) = super::pdf::publish(&state, &tenant, &view).await {
        tracing::warn!(invoice_id = %id, error = %e, "invoice PDF not stored yet");
    }
    Ok(answer(&view))
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn void(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let reason = body.into_inner().validate()?;
    let firm = tenant.firm_id.0;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut invoice = reach(conn, &caller, INV_UPDATE, id, true).await?;
            if invoice.status != "ISSUED" {
                return Err(transition_error(&invoice.status, "VOID"));
            }
            let (_, balance) = stored::balance(conn, id).await?;
            if balance.paid_minor != 0 || balance.credited_minor != 0 {
                return Err(ApiError::new(
                    ErrorCode::InvalidStatusTransition,
                    "The invoice has payments or credit notes: deallocate the payments first; a credited invoice stays",
                )
                .with_details(json!({ "paidMinor": balance.paid_minor, "creditedMinor": balance.credited_minor })));
            }
            let now = Utc::now();
            invoice.status = "VOID".into();
            (invoice.voided_at, invoice.voided_by, invoice.void_reason) = (Some(now), caller.me, Some(reason.clone()));
            let invoice = stored::save(conn, &invoice).await?;
            let released = entries::move_invoiced(conn, id, "INVOICED", "APPROVED", true, now).await?;
            let costs = expenses::move_invoiced(conn, id, "INVOICED", "APPROVED", true, now).await?;
            let data = json!({
                "invoiceId": id, "invoiceNumber": invoice.invoice_number, "matterId": invoice.matter_id,
                "clientId": invoice.client_id, "totalMinor": balance.total_minor, "currency": invoice.currency,
                "reason": reason, "releasedTimeEntries": released, "releasedExpenses": costs,
            });
            let matter = Some(invoice.matter_id);
            events::enqueue(conn, firm, events::INVOICE_VOIDED, EntityRef::new("invoice", id), matter, data).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(answer(&view))
}
