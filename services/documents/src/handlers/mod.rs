//! One file per flow: uploads (presigned, completion, direct), reads and
//! downloads, versions, edits, the list and search, the audit trail.

pub mod complete;
pub mod create;
pub mod edit;
pub mod events;
pub mod list;
pub mod read;
pub mod upload;
pub mod versions;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use lawos_authz::Access;
use lawos_core::{ApiError, ErrorCode};
use lawos_storage::StorageError;
use lawos_tenancy::Tenant;
use serde::Serialize;
use uuid::Uuid;

use crate::access;
use crate::model::{Document, Version};
use crate::storage::{documents as stored, versions as stored_versions};

/// The caller's user id (none for a service).
pub(crate) fn user_of(tenant: &Tenant) -> Option<Uuid> {
    tenant.principal.user_id.map(|u| u.0)
}

/// A failure of the object store: 503 (the store is a dependency).
pub(crate) fn store_error(e: StorageError) -> ApiError {
    match e {
        StorageError::TooLarge { limit } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("The file is larger than {limit} bytes"),
        )
        .with_details(serde_json::json!({ "limitBytes": limit })),
        other => ApiError::unavailable(other),
    }
}

/// The document `id` and the caller's right to `scope` on it (404/403 otherwise).
pub(crate) async fn authorized(
    conn: &mut AsyncPgConnection,
    access: &Access,
    scope: &str,
    id: Uuid,
    lock: bool,
) -> Result<Document, ApiError> {
    let doc = if lock {
        stored::lock(conn, id).await?
    } else {
        stored::find(conn, id).await?
    }
    .ok_or_else(|| access::not_found(id))?;
    access::require(access, scope, &doc)?;
    Ok(doc)
}

/// The current version of `doc`, if it has one.
pub(crate) async fn current(
    conn: &mut AsyncPgConnection,
    doc: &Document,
) -> Result<Option<Version>, ApiError> {
    match doc.current_version_id {
        None => Ok(None),
        Some(v) => stored_versions::find(conn, doc.id, v).await,
    }
}

/// 409 when a document has nothing to download.
pub(crate) fn not_available(id: Uuid) -> ApiError {
    ApiError::new(
        ErrorCode::DocumentNotAvailable,
        "The document has no uploaded version to serve",
    )
    .with_details(serde_json::json!({ "documentId": id }))
}

/// 409 on writes to an archived document (restore it first).
pub(crate) fn refuse_archived(doc: &Document) -> Result<(), ApiError> {
    if doc.archived_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The document is archived; restore it first",
        )
        .with_details(serde_json::json!({ "documentId": doc.id })));
    }
    Ok(())
}

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the document's current ETag.
pub(crate) fn check_fresh(expected: Option<&str>, doc: &Document) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != doc.etag() => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The document was changed since you read it",
        )
        .with_details(serde_json::json!({ "etag": doc.etag() }))),
        _ => Ok(()),
    }
}

/// A JSON answer with the document's ETag.
pub(crate) fn with_etag<T: Serialize>(
    status: StatusCode,
    doc: &Document,
    body: &T,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, doc.etag()))
        .json(body)
}
