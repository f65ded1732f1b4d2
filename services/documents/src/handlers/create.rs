//! Starting an upload: `POST /api/v1/documents/` (a document and its first,
//! pending version) and `POST /{id}/versions` (a new pending version), each
//! answered with a presigned PUT whose length, type and SHA-256 are signed.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use lawos_authz::Access;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{authorized, refuse_archived, store_error, user_of, with_etag};
use crate::access::{self, DOCUMENTS_UPDATE};
use crate::input::{CreateDocument, NewVersionBody, ValidFile, ValidMetadata};
use crate::model::{NewDocument, NewVersion, PENDING, PRESIGNED, object_key};
use crate::state::DocumentsState;
use crate::storage::{documents as stored, versions};
use crate::views::{DocumentView, PresignedView, UploadStarted, VersionView};

/// 403 naming `privileged` when the caller may not mark documents privileged.
pub(crate) fn check_privileged_write(access: &Access, privileged: bool) -> Result<(), ApiError> {
    if privileged && !access::sees_privileged(access) {
        return Err(ApiError::permission_denied(format!(
            "Marking a document privileged requires the {} scope",
            access::DOCUMENTS_PRIVILEGED
        ))
        .with_details(serde_json::json!({
            "fields": ["privileged"],
            "requiredScopes": [access::DOCUMENTS_PRIVILEGED]
        })));
    }
    Ok(())
}

/// The new document and its authorization (scope, parent reach, privilege,
/// parent existence).
pub(crate) async fn authorize_new(
    state: &DocumentsState,
    tenant: &Tenant,
    access: &Access,
    id: Uuid,
    meta: &ValidMetadata,
) -> Result<(), ApiError> {
    access::require_create(access, id, &meta.resource_type, meta.resource_id)?;
    check_privileged_write(access, meta.privileged)?;
    state
        .parents
        .require(tenant.firm_id, &meta.resource_type, meta.resource_id)
        .await
}

pub(crate) fn new_document(
    tenant: &Tenant,
    id: Uuid,
    meta: ValidMetadata,
    file_name: &str,
) -> NewDocument {
    NewDocument {
        id,
        firm_id: tenant.firm_id.0,
        resource_type: meta.resource_type,
        resource_id: meta.resource_id,
        name: meta.name.unwrap_or_else(|| file_name.to_owned()),
        description: meta.description,
        category: meta.category,
        privileged: meta.privileged,
        confidential: meta.confidential,
        tags: meta.tags,
        created_by: user_of(tenant),
    }
}

fn pending_version(
    tenant: &Tenant,
    document: Uuid,
    version: Uuid,
    parent: Option<Uuid>,
    file: &ValidFile,
) -> NewVersion {
    NewVersion {
        id: version,
        firm_id: tenant.firm_id.0,
        document_id: document,
        parent_version_id: parent,
        restored_from_version_id: None,
        status: PENDING.to_owned(),
        upload_method: PRESIGNED.to_owned(),
        file_name: file.file_name.clone(),
        mime_type: file.mime_type.clone(),
        size_bytes: file.size as i64,
        sha256: file.sha256.to_vec(),
        uploaded_by: user_of(tenant),
    }
}

async fn presign(
    state: &DocumentsState,
    key: &str,
    file: &ValidFile,
) -> Result<PresignedView, ApiError> {
    state
        .store
        .presign_put(
            key,
            state.config.upload_url_ttl,
            file.size,
            &file.mime_type,
            Some(&file.sha256),
        )
        .await
        .map(PresignedView::from)
        .map_err(store_error)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    body: web::Json<CreateDocument>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state, &tenant).await?;
    access.require_firm(access::DOCUMENTS_CREATE)?;
    let (meta, file) = body.into_inner().validate(state.config.max_bytes)?;
    let (id, version_id) = (Uuid::now_v7(), Uuid::now_v7());
    authorize_new(&state, &tenant, &access, id, &meta).await?;
    let new = new_document(&tenant, id, meta, &file.file_name);
    let version = pending_version(&tenant, id, version_id, None, &file);
    let upload = presign(&state, &object_key(tenant.firm_id.0, id, version_id), &file).await?;
    let (doc, version) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = stored::insert(conn, new).await?;
            let version = versions::insert(conn, version).await?;
            Ok((doc, version))
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(document_id = %doc.id, version_id = %version.id, "upload started");
    let body = UploadStarted {
        document: DocumentView::of(&doc, None),
        version: VersionView::of(&version, doc.current_version_id),
        upload,
    };
    let mut res = with_etag(StatusCode::CREATED, &doc, &body);
    if let Ok(location) = format!("/api/v1/documents/{}", doc.id).parse() {
        res.headers_mut().insert(LOCATION, location);
    }
    Ok(res)
}

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn new_version(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<NewVersionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    let file = body.into_inner().validate(state.config.max_bytes)?;
    let version_id = Uuid::now_v7();
    let key = object_key(tenant.firm_id.0, id, version_id);
    let upload = presign(&state, &key, &file).await?;
    let t = tenant.clone();
    let (doc, version, current) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = authorized(conn, &access, DOCUMENTS_UPDATE, id, true).await?;
            refuse_archived(&doc)?;
            let new = pending_version(&t, id, version_id, doc.current_version_id, &file);
            let version = versions::insert(conn, new).await?;
            let current = super::current(conn, &doc).await?;
            Ok((doc, version, current))
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(document_id = %doc.id, version_id = %version.id, "new version started");
    let body = UploadStarted {
        document: DocumentView::of(&doc, current.as_ref()),
        version: VersionView::of(&version, doc.current_version_id),
        upload,
    };
    Ok(with_etag(StatusCode::CREATED, &doc, &body))
}

/// 422 for a file field the multipart upload names.
pub(crate) fn file_error(message: &str) -> ApiError {
    FieldErrors::single("file", ErrorCode::InvalidFieldFormat, message).into()
}
