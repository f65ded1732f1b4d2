//! A draft's adjustments: its notes (`If-Match`), ADJUSTMENT lines (a discount
//! is negative), removing a line (a time or expense line frees what it
//! billed), and discarding the draft (everything it held is freed).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::invoices::{answer, reach};
use super::{check_fresh, if_match};
use crate::access::{self, Caller, INV_UPDATE};
use crate::input::invoices::{AddLineItem, UpdateInvoice};
use crate::lifecycle::transition_error;
use crate::model::{Invoice, LineItem};
use crate::state::BillingState;
use crate::storage::invoices as stored;
use crate::storage::{entries, expenses};

/// The draft `id`, locked (409 once issued).
async fn draft(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Invoice, ApiError> {
    let invoice = reach(conn, caller, INV_UPDATE, id, true).await?;
    if invoice.status != "DRAFT" {
        return Err(transition_error(&invoice.status, "DRAFT"));
    }
    Ok(invoice)
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn update(
    state: web::Data<BillingState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateInvoice>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let notes = body.into_inner().validate()?;
    let expected = if_match(&req);
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut invoice = draft(conn, &caller, id).await?;
            check_fresh(expected.as_deref(), &invoice.etag())?;
            invoice.notes = notes;
            let invoice = stored::save(conn, &invoice).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(answer(&view))
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn add_line(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AddLineItem>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    body.validate()?;
    let body = body.into_inner();
    let firm = tenant.firm_id.0;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let invoice = draft(conn, &caller, id).await?;
            let position = stored::next_position(conn, id).await?;
            let line = LineItem {
                id: Uuid::now_v7(),
                firm_id: firm,
                invoice_id: id,
                kind: "ADJUSTMENT".into(),
                time_entry_id: None,
                expense_id: None,
                position,
                service_date: body.service_date,
                user_id: caller.me,
                activity_code: None,
                description: body.description.unwrap_or_default().trim().to_owned(),
                quantity_minutes: None,
                rate_minor: None,
                amount_minor: body.amount_minor.unwrap_or_default(),
                created_at: Utc::now(),
            };
            stored::insert_lines(conn, vec![line]).await?;
            let invoice = stored::save(conn, &invoice).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[tracing::instrument(skip_all, fields(invoice_id = %path.0, line_id = %path.1))]
pub async fn remove_line(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, line) = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let invoice = draft(conn, &caller, id).await?;
            let gone = stored::delete_line(conn, id, line)
                .await?
                .ok_or_else(|| ApiError::not_found("LineItem", line))?;
            let now = Utc::now();
            if let Some(entry) = gone.time_entry_id {
                entries::set_invoice(conn, &[entry], None, now).await?;
            }
            if let Some(expense) = gone.expense_id {
                expenses::set_invoice(conn, &[expense], None, now).await?;
            }
            let invoice = stored::save(conn, &invoice).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(answer(&view))
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn discard(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_UPDATE).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut invoice = draft(conn, &caller, id).await?;
            let lines = stored::lines(conn, id).await?;
            let now = Utc::now();
            let time: Vec<Uuid> = lines.iter().filter_map(|l| l.time_entry_id).collect();
            let costs: Vec<Uuid> = lines.iter().filter_map(|l| l.expense_id).collect();
            entries::set_invoice(conn, &time, None, now).await?;
            expenses::set_invoice(conn, &costs, None, now).await?;
            invoice.deleted_at = Some(now);
            stored::save(conn, &invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
