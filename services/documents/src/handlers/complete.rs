//! `POST /api/v1/documents/{id}/versions/{versionId}/complete`: the stored
//! object must exist with the declared size and SHA-256 (the store's own
//! full-object checksum when it kept one, else computed here by reading the
//! object); only then does the version become current (`document.uploaded`).
//! A refused completion leaves the version pending (the upload may be retried
//! with the same URL until it expires) and never current.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel_async::AsyncPgConnection;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_storage::hex_digest;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::{authorized, refuse_archived, store_error, with_etag};
use crate::access::{self, DOCUMENTS_UPDATE};
use crate::events;
use crate::model::{Document, PENDING, Version};
use crate::state::DocumentsState;
use crate::storage::{documents as stored, extractions, versions};
use crate::views::DocumentView;

fn not_pending(version: &Version) -> ApiError {
    ApiError::new(
        ErrorCode::DocumentVersionNotPending,
        format!(
            "The version is {}, not waiting for its upload",
            version.status
        ),
    )
    .with_details(json!({ "versionId": version.id, "status": version.status }))
}

/// Makes `version` (pending, of the locked `doc`) the current one with its
/// checked size and digest, numbered next, and records `document.uploaded`.
pub(crate) async fn make_current(
    conn: &mut AsyncPgConnection,
    doc: &Document,
    version: Uuid,
    size: u64,
    sha256: &[u8; 32],
) -> Result<(Document, Version), ApiError> {
    let number = versions::next_number(conn, doc.id).await?;
    let version = versions::make_available(conn, version, number, size as i64, sha256).await?;
    let doc = stored::set_current(conn, doc.id, version.id).await?;
    stored::set_content(conn, doc.id, None).await?;
    extractions::mark(conn, &version).await?;
    events::uploaded(conn, &doc, &version).await?;
    Ok((doc, version))
}

/// What the store holds at the version's key, against what was declared.
async fn check_object(state: &DocumentsState, version: &Version) -> Result<[u8; 32], ApiError> {
    let declared = version.size_bytes as u64;
    let head = state
        .store
        .head(&version.object_key())
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::DocumentUploadIncomplete,
                "Nothing was uploaded for this version",
            )
            .with_details(
                json!({ "versionId": version.id, "expectedSize": declared, "actualSize": null }),
            )
        })?;
    if head.size != declared {
        return Err(ApiError::new(
            ErrorCode::DocumentUploadIncomplete,
            "The uploaded object is not of the declared size",
        )
        .with_details(
            json!({ "versionId": version.id, "expectedSize": declared, "actualSize": head.size }),
        ));
    }
    let digest = match head.sha256 {
        Some(d) => d,
        None => {
            state
                .store
                .digest(&version.object_key())
                .await
                .map_err(store_error)?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::DocumentUploadIncomplete,
                        "Nothing was uploaded for this version",
                    )
                })?
                .sha256
        }
    };
    if digest.as_slice() != version.sha256.as_slice() {
        return Err(ApiError::new(
            ErrorCode::DocumentChecksumMismatch,
            "The uploaded bytes do not have the declared SHA-256",
        )
        .with_details(json!({
            "versionId": version.id,
            "expectedSha256": version.sha256_hex(),
            "actualSha256": hex_digest(&digest),
        })));
    }
    Ok(digest)
}

#[tracing::instrument(skip_all, fields(document_id = %path.0, version_id = %path.1))]
pub async fn complete(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version_id) = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let a = access.clone();
    let version = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &a, DOCUMENTS_UPDATE, id, false).await?;
            refuse_archived(&doc)?;
            versions::find(conn, id, version_id)
                .await?
                .ok_or_else(|| ApiError::not_found("DocumentVersion", version_id))
        }
        .scope_boxed()
    })
    .await?;
    if version.status != PENDING {
        return Err(not_pending(&version));
    }
    let digest = check_object(&state, &version).await?;
    let size = version.size_bytes as u64;
    let (doc, version) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_UPDATE, id, true).await?;
            let fresh = versions::find(conn, id, version_id)
                .await?
                .ok_or_else(|| ApiError::not_found("DocumentVersion", version_id))?;
            if fresh.status != PENDING {
                return Err(not_pending(&fresh));
            }
            make_current(conn, &doc, version_id, size, &digest).await
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(document_id = %doc.id, version_id = %version.id, number = ?version.version_number, "upload completed");
    Ok(with_etag(
        StatusCode::OK,
        &doc,
        &DocumentView::of(&doc, Some(&version)),
    ))
}
