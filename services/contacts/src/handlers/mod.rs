//! One file per flow: contacts (read, change, lifecycle), clients, client contacts.

pub mod client_contacts;
pub mod client_update;
pub mod clients;
pub mod conflict_check;
pub mod contact_state;
pub mod contact_update;
pub mod contacts;
pub mod duplicates;
pub mod intake;
pub mod merge;

use actix_web::HttpRequest;
use actix_web::http::header::IF_MATCH;
use lawos_core::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The cursor of id-ordered lists.
#[derive(Serialize, Deserialize)]
pub struct Position {
    pub id: Uuid,
}

/// The request's `If-Match`, unless absent or `*`.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the caller's `If-Match` is not the current ETag.
pub fn check_etag(expected: Option<&str>, current: &str, what: &str) -> Result<(), ApiError> {
    match expected {
        Some(e) if e != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            format!("The {what} was changed since you read it"),
        )
        .with_details(serde_json::json!({ "etag": current }))),
        _ => Ok(()),
    }
}

/// The acting user, for `created_by` / `updated_by`.
pub fn actor(tenant: &lawos_tenancy::Tenant) -> Option<Uuid> {
    tenant.principal.user_id.map(|u| u.0)
}
