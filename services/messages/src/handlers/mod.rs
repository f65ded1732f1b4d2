//! One file per flow: sending, threads and the polymorphic list, one message
//! (read, edit, delete, events), search, SMS numbers, the Telnyx webhook,
//! comments.

pub mod comment_edit;
pub mod comments;
pub mod edit;
pub mod list;
pub mod message;
pub mod search;
pub mod send;
pub mod sms_numbers;
pub mod webhook;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use lawos_core::{ApiError, CursorCodec, ErrorCode, PageParams};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// A list position: creation time, then id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

/// The position a page's cursor names, if any.
pub fn position(
    cursors: &CursorCodec,
    page: &PageParams,
) -> Result<Option<(DateTime<Utc>, Uuid)>, ApiError> {
    Ok(page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| (p.at, p.id)))
}

pub fn message_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Message", id)
}

/// The `If-Match` header, unless absent or `*`.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the current ETag.
pub fn check_fresh(expected: Option<&str>, current: &str) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "It was changed since you read it",
        )
        .with_details(json!({ "etag": current }))),
        _ => Ok(()),
    }
}

/// A single resource with its ETag.
pub fn with_etag(status: StatusCode, etag: &str, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, etag.to_owned()))
        .json(body)
}
