//! Invoices: generate a DRAFT from a matter's approved, uninvoiced, billable
//! entries and expenses in a period (line items copy what they bill), get, list.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{created, respond};
use crate::access::{self, Caller, INV_CREATE, INV_READ};
use crate::input::invoices::GenerateInvoice;
use crate::input::lists::{InvoiceQuery, TimePosition};
use crate::model::{Expense, Invoice, InvoiceView, LineItem, TimeEntry};
use crate::state::BillingState;
use crate::storage::invoices::{self as stored, not_found};
use crate::storage::{entries, expenses};

/// The invoice `id` if the caller may use `scope` on it (404 out of reach).
pub(crate) async fn reach(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    scope: &str,
    id: Uuid,
    lock: bool,
) -> Result<Invoice, ApiError> {
    let invoice = if lock {
        stored::lock(conn, id).await?
    } else {
        stored::find(conn, id).await?
    }
    .ok_or_else(|| not_found(id))?;
    caller.require_invoice(scope, id, invoice.matter_id)?;
    Ok(invoice)
}

fn time_line(firm: Uuid, invoice: Uuid, position: i32, e: &TimeEntry) -> LineItem {
    LineItem {
        id: Uuid::now_v7(),
        firm_id: firm,
        invoice_id: invoice,
        kind: "TIME".into(),
        time_entry_id: Some(e.id),
        expense_id: None,
        position,
        service_date: Some(e.work_date),
        user_id: Some(e.user_id),
        activity_code: Some(e.activity_code.clone()),
        description: e.description.clone(),
        quantity_minutes: Some(e.duration_minutes),
        rate_minor: Some(e.billing_rate_minor),
        amount_minor: e.total_amount_minor,
        created_at: Utc::now(),
    }
}

fn expense_line(firm: Uuid, invoice: Uuid, position: i32, e: &Expense) -> LineItem {
    LineItem {
        id: Uuid::now_v7(),
        firm_id: firm,
        invoice_id: invoice,
        kind: "EXPENSE".into(),
        time_entry_id: None,
        expense_id: Some(e.id),
        position,
        service_date: Some(e.incurred_on),
        user_id: Some(e.user_id),
        activity_code: None,
        description: format!("{}: {}", e.category, e.description),
        quantity_minutes: None,
        rate_minor: None,
        amount_minor: e.amount_minor,
        created_at: Utc::now(),
    }
}

/// The one currency of what is billed: the asked one, else the only one found.
fn currency_of(asked: Option<String>, found: &[&str]) -> Result<String, ApiError> {
    let mut found: Vec<&str> = found.to_vec();
    found.sort_unstable();
    found.dedup();
    match (asked, found.as_slice()) {
        (Some(c), _) => Ok(c),
        (None, [one]) => Ok((*one).to_owned()),
        (None, []) => Err(nothing_to_bill()),
        (None, _) => Err(FieldErrors::single(
            "currency",
            ErrorCode::RequiredFieldMissing,
            format!(
                "the matter's billable work is in {}: choose one",
                found.join(", ")
            ),
        )
        .into()),
    }
}

fn nothing_to_bill() -> ApiError {
    FieldErrors::single(
        "periodStart",
        ErrorCode::InvalidFieldFormat,
        "the matter has no approved, uninvoiced billable work in this period",
    )
    .into()
}

#[tracing::instrument(skip_all)]
pub async fn generate(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<GenerateInvoice>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_CREATE).await?;
    let body = body.into_inner();
    let (matter, start, end) = body.validate()?;
    caller
        .require_invoice(INV_CREATE, Uuid::nil(), matter)
        .map_err(|e| {
            if e.code == ErrorCode::ResourceNotFound {
                FieldErrors::single(
                    "matterId",
                    ErrorCode::ResourceNotFound,
                    "no such matter in your reach",
                )
                .into()
            } else {
                e
            }
        })?;
    let info = state
        .remote
        .matter(tenant.firm_id, matter, "matterId")
        .await?;
    let client = info.client_id.ok_or_else(|| {
        ApiError::from(FieldErrors::single(
            "matterId",
            ErrorCode::InvalidFieldFormat,
            "the matter has no client to bill",
        ))
    })?;
    let (firm, by, asked, notes) = (tenant.firm_id.0, caller.me, body.currency, body.notes);
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let time = entries::billable(conn, matter, start, end).await?;
            let costs = expenses::billable(conn, matter, start, end).await?;
            let found: Vec<&str> = time
                .iter()
                .map(|e| e.currency.as_str())
                .chain(costs.iter().map(|e| e.currency.as_str()))
                .collect();
            let currency = currency_of(asked, &found)?;
            let time: Vec<TimeEntry> = time
                .into_iter()
                .filter(|e| e.currency == currency)
                .collect();
            let costs: Vec<Expense> = costs
                .into_iter()
                .filter(|e| e.currency == currency)
                .collect();
            if time.is_empty() && costs.is_empty() {
                return Err(nothing_to_bill());
            }
            let now = Utc::now();
            let invoice = stored::insert(
                conn,
                Invoice {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    matter_id: matter,
                    client_id: client,
                    invoice_number: None,
                    status: "DRAFT".into(),
                    currency,
                    period_start: start,
                    period_end: end,
                    notes: notes.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
                    issue_date: None,
                    due_date: None,
                    issued_at: None,
                    issued_by: None,
                    voided_at: None,
                    voided_by: None,
                    void_reason: None,
                    created_by: by,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await?;
            let mut lines: Vec<LineItem> = Vec::with_capacity(time.len() + costs.len());
            for e in &time {
                lines.push(time_line(firm, invoice.id, lines.len() as i32 + 1, e));
            }
            for e in &costs {
                lines.push(expense_line(firm, invoice.id, lines.len() as i32 + 1, e));
            }
            stored::insert_lines(conn, lines).await?;
            let time_ids: Vec<Uuid> = time.iter().map(|e| e.id).collect();
            let cost_ids: Vec<Uuid> = costs.iter().map(|e| e.id).collect();
            entries::set_invoice(conn, &time_ids, Some(invoice.id), now).await?;
            expenses::set_invoice(conn, &cost_ids, Some(invoice.id), now).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(invoice_id = %view.id, lines = view.line_items.len(), "invoice generated");
    let etag = crate::model::etag(view.id, view.updated_at);
    Ok(created(
        format!("/api/v1/billing/invoices/{}", view.id),
        Some(&etag),
        &view,
    ))
}

/// One invoice with its ETag.
pub(crate) fn answer(view: &InvoiceView) -> HttpResponse {
    respond(
        StatusCode::OK,
        &crate::model::etag(view.id, view.updated_at),
        view,
    )
}

#[tracing::instrument(skip_all, fields(invoice_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let invoice = reach(conn, &caller, INV_READ, id, false).await?;
            stored::view(conn, invoice).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(answer(&view))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<InvoiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, INV_READ).await?;
    let visible = caller.matter_filter(INV_READ)?;
    let filter = query.into_inner().validate(&cursors)?;
    let limit = filter.limit;
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { stored::list(conn, &filter, &visible).await }.scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |i: &InvoiceView| {
        cursors.encode(&TimePosition {
            at: i.created_at,
            id: i.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}
