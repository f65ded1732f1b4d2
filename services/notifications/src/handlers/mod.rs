//! One file per flow: the list, reading, preferences, the firm's settings, the socket.

pub mod firm;
pub mod list;
pub mod preferences;
pub mod read;
pub mod socket;
pub mod types;

use actix_web::HttpRequest;
use actix_web::http::header::IF_MATCH;
use lawos_core::{ApiError, ErrorCode};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The strong ETag of a representation: a hash of its JSON.
pub(crate) fn etag_of<T: Serialize>(value: &T) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    Ok(format!("\"{hex}\""))
}

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when `If-Match` named another version than `current`.
pub(crate) fn check_fresh(given: Option<&str>, current: &str) -> Result<(), ApiError> {
    match given {
        Some(etag) if etag != current => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The settings were changed since you read them",
        )
        .with_details(serde_json::json!({ "etag": current }))),
        _ => Ok(()),
    }
}
