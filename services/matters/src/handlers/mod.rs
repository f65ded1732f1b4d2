//! One file per flow: matters (create, read, list), edits, stages, members,
//! events, lead intake, the Meta webhook and the MyCase sync's administration.

pub mod edit;
pub mod events;
pub mod leads;
pub mod lookup;
pub mod matters;
pub mod members;
pub mod meta;
pub mod mycase;
pub mod notes;
pub mod parties;
pub mod stage;
pub mod timeline;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use lawos_authz::Access;
use lawos_core::{ApiError, ErrorCode};

use crate::access::{self, MATTER};
use crate::model::Matter;
use crate::stage::closed_error;
use crate::storage::matters as stored;
use uuid::Uuid;

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the matter's current ETag.
pub(crate) fn check_fresh(expected: Option<&str>, current: &Matter) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != current.etag() => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The matter was changed since you read it",
        )
        .with_details(serde_json::json!({ "etag": current.etag() }))),
        _ => Ok(()),
    }
}

/// One matter with its ETag.
pub(crate) fn respond(
    status: StatusCode,
    access: &Access,
    matter: &Matter,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::build(status)
        .insert_header((ETAG, matter.etag()))
        .content_type(actix_web::http::header::ContentType::json())
        .body(access.to_json(MATTER, matter)?))
}

/// The matter exists (404) and, for a write, is not closed (400).
pub(crate) async fn matter_for(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    write: bool,
) -> Result<(), ApiError> {
    let matter = stored::find(conn, id)
        .await?
        .ok_or_else(|| access::not_found(id))?;
    if write && matter.stage().is_closed() {
        return Err(closed_error(matter.stage()));
    }
    Ok(())
}
