//! Reading a document: `GET /{id}` (metadata and a short-lived presigned GET
//! naming the file) and `GET /{id}/content` (the bytes streamed through the
//! service). Both record `document.viewed`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use futures_util::TryStreamExt;
use lawos_authz::Access;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_storage::content_disposition;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{authorized, current, not_available, store_error, user_of, with_etag};
use crate::access::{self, DOCUMENTS_READ};
use crate::events::{self, VIA_STREAM, VIA_URL};
use crate::model::{Document, Version};
use crate::state::DocumentsState;
use crate::views::{DocumentView, DocumentWithDownload, PresignedView};

/// A presigned GET of `version` with its file name as `Content-Disposition`.
pub(crate) async fn download_url(
    state: &DocumentsState,
    version: &Version,
) -> Result<PresignedView, ApiError> {
    state
        .store
        .presign_get(
            &version.object_key(),
            state.config.download_url_ttl,
            Some(&content_disposition(false, &version.file_name)),
            Some(&version.mime_type),
        )
        .await
        .map(PresignedView::from)
        .map_err(store_error)
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn get(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let viewer = user_of(&tenant);
    let st = state.clone();
    let (doc, version, download) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_READ, id, false).await?;
            let version = current(conn, &doc)
                .await?
                .filter(|v| v.object_deleted_at.is_none());
            let download = match &version {
                Some(v) => {
                    let url = download_url(&st, v).await?;
                    events::viewed(conn, &doc, v.id, viewer, VIA_URL).await?;
                    Some(url)
                }
                None => None,
            };
            Ok((doc, version, download))
        }
        .scope_boxed()
    })
    .await?;
    let body = DocumentWithDownload {
        document: DocumentView::of(&doc, version.as_ref()),
        download,
    };
    Ok(with_etag(StatusCode::OK, &doc, &body))
}

/// Streams `version`'s bytes (after the view was recorded).
pub(crate) async fn stream(
    state: &DocumentsState,
    version: &Version,
) -> Result<HttpResponse, ApiError> {
    let body = state
        .store
        .get(&version.object_key())
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::internal(format!("object {} is missing", version.object_key())))?;
    let bytes = body
        .stream
        .map_err(|e| actix_web::error::ErrorServiceUnavailable(e.to_string()));
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header((CONTENT_TYPE, version.mime_type.clone()))
        .insert_header((
            CONTENT_DISPOSITION,
            content_disposition(false, &version.file_name),
        ))
        .insert_header((CONTENT_LENGTH, body.size))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, no-store"))
        .streaming(bytes))
}

/// The document and version `pick` chooses, readable by the caller; the view recorded.
pub(crate) async fn for_download(
    state: &DocumentsState,
    tenant: &Tenant,
    access: Access,
    id: Uuid,
    version_id: Option<Uuid>,
) -> Result<(Document, Version), ApiError> {
    let viewer = user_of(tenant);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_READ, id, false).await?;
            let version = match version_id {
                None => current(conn, &doc).await?,
                Some(v) => Some(
                    crate::storage::versions::find(conn, id, v)
                        .await?
                        .ok_or_else(|| ApiError::not_found("DocumentVersion", v))?,
                ),
            }
            .filter(|v| v.is_available() && v.object_deleted_at.is_none())
            .ok_or_else(|| not_available(id))?;
            events::viewed(conn, &doc, version.id, viewer, VIA_STREAM).await?;
            Ok((doc, version))
        }
        .scope_boxed()
    })
    .await
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn content(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state, &tenant).await?;
    let (_, version) = for_download(&state, &tenant, access, path.into_inner(), None).await?;
    stream(&state, &version).await
}
