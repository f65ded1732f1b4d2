//! One file per flow: time entries, their lifecycle, timers, expenses, rates,
//! invoices (generation, drafts, issue and void, PDFs), payments, credit
//! notes, the trust ledger and reports.

pub mod codes;
pub mod credit_notes;
pub mod entries;
pub mod entry_flow;
pub mod expenses;
pub mod invoice_edit;
pub mod invoice_flow;
pub mod invoices;
pub mod payment_flow;
pub mod payments;
pub mod pdf;
pub mod rates;
pub mod reports;
pub mod timers;
pub mod trust;
pub mod trust_reports;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use lawos_core::{ApiError, ErrorCode};
use lawos_tenancy::Tenant;
use serde::Serialize;
use uuid::Uuid;

/// Today (UTC), the default work, issue and entry date.
pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The caller's user id; services act for no user and cannot own billing rows.
pub(crate) fn user_of(tenant: &Tenant) -> Result<Uuid, ApiError> {
    tenant.principal.user_id.map(|u| u.0).ok_or_else(|| {
        ApiError::permission_denied("Only a user records their own time and expenses")
    })
}

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the row's current ETag.
pub(crate) fn check_fresh(expected: Option<&str>, current: &str) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The resource was changed since you read it",
        )
        .with_details(serde_json::json!({ "etag": current }))),
        _ => Ok(()),
    }
}

/// One resource with its ETag.
pub(crate) fn respond<T: Serialize>(status: StatusCode, etag: &str, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, etag.to_owned()))
        .json(body)
}

/// 201 with `Location` (and an ETag when given).
pub(crate) fn created<T: Serialize>(
    location: String,
    etag: Option<&str>,
    body: &T,
) -> HttpResponse {
    let mut res = HttpResponse::Created();
    if let Some(etag) = etag {
        res.insert_header((ETAG, etag.to_owned()));
    }
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&location) {
        res.insert_header((LOCATION, value));
    }
    res.json(body)
}
