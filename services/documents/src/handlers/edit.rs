//! Changing a document: `PATCH /{id}` (metadata, `If-Match`), `DELETE /{id}`
//! (soft: the objects stay until the retention purge), `PUT /{id}/archive`
//! and `PUT /{id}/restore`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::create::check_privileged_write;
use super::{authorized, check_fresh, current, if_match, with_etag};
use crate::access::{self, DOCUMENTS_DELETE, DOCUMENTS_UPDATE};
use crate::input::PatchDocument;
use crate::state::DocumentsState;
use crate::storage::documents as stored;
use crate::views::DocumentView;

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn update(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<PatchDocument>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let patch = body.into_inner().validate()?;
    let expected = if_match(&req);
    let (doc, version) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_UPDATE, id, true).await?;
            check_fresh(expected.as_deref(), &doc)?;
            if let Some(p) = patch.privileged {
                // Both marking and unmarking are privilege decisions.
                check_privileged_write(&access, p || doc.privileged)?;
            }
            let doc = stored::update(conn, id, patch).await?;
            let version = current(conn, &doc).await?;
            Ok((doc, version))
        }
        .scope_boxed()
    })
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        &doc,
        &DocumentView::of(&doc, version.as_ref()),
    ))
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn delete(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            authorized(conn, &access, DOCUMENTS_DELETE, id, true).await?;
            stored::delete(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(document_id = %id, "document deleted");
    Ok(HttpResponse::NoContent().finish())
}

async fn set_archived(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    id: Uuid,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state, &tenant).await?;
    let (doc, version) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_UPDATE, id, true).await?;
            let doc = if doc.archived_at.is_some() == archived {
                doc
            } else {
                stored::set_archived(conn, id, archived).await?
            };
            let version = current(conn, &doc).await?;
            Ok((doc, version))
        }
        .scope_boxed()
    })
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        &doc,
        &DocumentView::of(&doc, version.as_ref()),
    ))
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn archive(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), true).await
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn restore(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), false).await
}
