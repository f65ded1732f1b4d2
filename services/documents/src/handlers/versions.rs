//! A document's versions: the list (newest first), one version (with a
//! download URL when available), its bytes, and restoring an old one as a new
//! current version (the object copied server-side).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::complete::make_current;
use super::read::{download_url, for_download, stream};
use super::{authorized, not_available, refuse_archived, store_error, user_of};
use crate::access::{self, DOCUMENTS_READ, DOCUMENTS_UPDATE};
use crate::events::{self, VIA_URL};
use crate::input::EventsQuery;
use crate::model::{NewVersion, PENDING, RESTORE, object_key};
use crate::state::DocumentsState;
use crate::storage::versions;
use crate::views::{VersionView, VersionWithDownload};

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn list(
    state: web::Data<DocumentsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let page = query.page();
    let limit = page.limit()?;
    let before: Option<Uuid> = match page.cursor.as_deref() {
        None => None,
        Some(c) => Some(cursors.decode(c)?),
    };
    let access = access::caller(&state, &tenant).await?;
    let (doc, rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_READ, id, false).await?;
            let rows = versions::list(conn, id, before, limit).await?;
            let total = versions::count(conn, id).await?;
            Ok((doc, rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |v| cursors.encode(&v.id))?;
    let data = page
        .data
        .iter()
        .map(|v| VersionView::of(v, doc.current_version_id))
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: page.pagination,
    }))
}

#[tracing::instrument(skip_all, fields(document_id = %path.0, version_id = %path.1))]
pub async fn get(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version_id) = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let viewer = user_of(&tenant);
    let st = state.clone();
    let body = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_READ, id, false).await?;
            let version = versions::find(conn, id, version_id)
                .await?
                .ok_or_else(|| ApiError::not_found("DocumentVersion", version_id))?;
            let download = if version.is_available() && version.object_deleted_at.is_none() {
                let url = download_url(&st, &version).await?;
                events::viewed(conn, &doc, version.id, viewer, VIA_URL).await?;
                Some(url)
            } else {
                None
            };
            Ok(VersionWithDownload {
                version: VersionView::of(&version, doc.current_version_id),
                download,
            })
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[tracing::instrument(skip_all, fields(document_id = %path.0, version_id = %path.1))]
pub async fn content(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version_id) = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let (_, version) = for_download(&state, &tenant, access, id, Some(version_id)).await?;
    stream(&state, &version).await
}

#[tracing::instrument(skip_all, fields(document_id = %path.0, version_id = %path.1))]
pub async fn restore(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, from_id) = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let a = access.clone();
    let from = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &a, DOCUMENTS_UPDATE, id, false).await?;
            refuse_archived(&doc)?;
            versions::find(conn, id, from_id)
                .await?
                .ok_or_else(|| ApiError::not_found("DocumentVersion", from_id))
        }
        .scope_boxed()
    })
    .await?;
    if !from.is_available() || from.object_deleted_at.is_some() {
        return Err(not_available(id));
    }
    let version_id = Uuid::now_v7();
    let key = object_key(tenant.firm_id.0, id, version_id);
    state
        .store
        .copy(&from.object_key(), &key)
        .await
        .map_err(store_error)?;
    let by = user_of(&tenant);
    let firm = tenant.firm_id.0;
    let result = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_UPDATE, id, true).await?;
            refuse_archived(&doc)?;
            let sha: [u8; 32] = from
                .sha256
                .as_slice()
                .try_into()
                .map_err(ApiError::internal)?;
            let new = NewVersion {
                id: version_id,
                firm_id: firm,
                document_id: id,
                parent_version_id: doc.current_version_id,
                restored_from_version_id: Some(from.id),
                status: PENDING.to_owned(),
                upload_method: RESTORE.to_owned(),
                file_name: from.file_name.clone(),
                mime_type: from.mime_type.clone(),
                size_bytes: from.size_bytes,
                sha256: from.sha256.clone(),
                uploaded_by: by,
            };
            versions::insert(conn, new).await?;
            make_current(conn, &doc, version_id, from.size_bytes as u64, &sha).await
        }
        .scope_boxed()
    })
    .await;
    let (doc, version) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = state.store.delete(&key).await;
            return Err(e);
        }
    };
    tracing::info!(document_id = %doc.id, version_id = %version.id, "version restored");
    Ok(HttpResponse::build(StatusCode::CREATED)
        .json(VersionView::of(&version, doc.current_version_id)))
}
