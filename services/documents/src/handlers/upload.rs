//! `POST /api/v1/documents/upload`: a small file straight to the service, as
//! `multipart/form-data` with a `metadata` part (JSON, the fields of
//! `POST /` without the file ones) first and then a `file` part (its file name
//! and content type from the part). The bytes are streamed to S3 and hashed on
//! the way, at most `LAWOS_DOCUMENTS_DIRECT_MAX_BYTES`; the version is current
//! at once. A failure after the upload removes the object again.

use actix_multipart::{Field, Multipart};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use futures_util::{StreamExt, TryStreamExt};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use uuid::Uuid;

use super::complete::make_current;
use super::create::{authorize_new, file_error, new_document};
use super::{store_error, user_of, with_etag};
use crate::access;
use crate::input::{DirectMetadata, ValidMetadata};
use crate::model::{DIRECT, NewVersion, PENDING, object_key};
use crate::state::DocumentsState;
use crate::storage::{documents as stored, versions};
use crate::views::DocumentView;

/// The largest `metadata` part.
const METADATA_MAX: usize = 64 * 1024;

/// The multipart body, as the OpenAPI document describes it.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// JSON: `resourceType`, `resourceId`, `name`, `description`, `category`,
    /// `privileged`, `confidential`, `tags`; it must come before `file`.
    metadata: String,
    /// The file (its part's file name and content type are kept).
    #[schemars(with = "String", extend("format" = "binary"))]
    file: Vec<u8>,
}

fn multipart_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedJson,
        "The multipart body could not be read",
    )
    .with_details(serde_json::json!({ "reason": e.to_string() }))
}

async fn read_metadata(field: &mut Field) -> Result<ValidMetadata, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        bytes.extend_from_slice(&chunk.map_err(multipart_error)?);
        if bytes.len() > METADATA_MAX {
            return Err(FieldErrors::single(
                "metadata",
                ErrorCode::InvalidFieldFormat,
                "is too large",
            )
            .into());
        }
    }
    let meta: DirectMetadata = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::from(FieldErrors::single(
            "metadata",
            ErrorCode::InvalidFieldFormat,
            format!("must be a JSON object of the document's fields: {e}"),
        ))
    })?;
    meta.validate()
}

/// The file part's name and type, validated.
fn file_of(field: &Field) -> Result<(String, String), ApiError> {
    let name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| file_error("must carry a file name"))?;
    let mut errors = FieldErrors::new();
    crate::input::check_name(&mut errors, "file", Some(&name), true);
    let mime = field
        .content_type()
        .map(|m| m.essence_str().to_ascii_lowercase())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    errors.into_result()?;
    Ok((name, mime))
}

#[tracing::instrument(skip_all)]
pub async fn upload(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state, &tenant).await?;
    access.require_firm(access::DOCUMENTS_CREATE)?;
    let (id, version_id) = (Uuid::now_v7(), Uuid::now_v7());
    let mut meta: Option<ValidMetadata> = None;
    let mut stored_file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        match field.name() {
            Some("metadata") if meta.is_none() && stored_file.is_none() => {
                let m = read_metadata(&mut field).await?;
                authorize_new(&state, &tenant, &access, id, &m).await?;
                meta = Some(m);
            }
            Some("file") if stored_file.is_none() => {
                if meta.is_none() {
                    return Err(FieldErrors::single(
                        "metadata",
                        ErrorCode::RequiredFieldMissing,
                        "must come before the file",
                    )
                    .into());
                }
                let (name, mime) = file_of(&field)?;
                let key = object_key(tenant.firm_id.0, id, version_id);
                let stream = field.map_err(|e| e.to_string());
                let stored = state
                    .store
                    .put_stream(&key, &mime, stream, state.config.direct_max_bytes)
                    .await
                    .map_err(store_error)?;
                stored_file = Some((name, mime, key, stored));
            }
            other => {
                let name = other.unwrap_or_default().to_owned();
                if let Some((_, _, key, _)) = &stored_file {
                    let _ = state.store.delete(key).await;
                }
                return Err(FieldErrors::single(
                    if name.is_empty() { "multipart" } else { &name },
                    ErrorCode::InvalidFieldFormat,
                    "unexpected part: send one metadata part, then one file part",
                )
                .into());
            }
        }
    }
    let Some(meta) = meta else {
        return Err(FieldErrors::single(
            "metadata",
            ErrorCode::RequiredFieldMissing,
            "is required",
        )
        .into());
    };
    let Some((name, mime, key, stored)) = stored_file else {
        return Err(
            FieldErrors::single("file", ErrorCode::RequiredFieldMissing, "is required").into(),
        );
    };
    if stored.size == 0 {
        let _ = state.store.delete(&key).await;
        return Err(file_error("is empty"));
    }
    let new = new_document(&tenant, id, meta, &name);
    let version = NewVersion {
        id: version_id,
        firm_id: tenant.firm_id.0,
        document_id: id,
        parent_version_id: None,
        restored_from_version_id: None,
        status: PENDING.to_owned(),
        upload_method: DIRECT.to_owned(),
        file_name: name,
        mime_type: mime,
        size_bytes: stored.size as i64,
        sha256: stored.sha256.to_vec(),
        uploaded_by: user_of(&tenant),
    };
    let result = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let doc = stored::insert(conn, new).await?;
            versions::insert(conn, version).await?;
            make_current(conn, &doc, version_id, stored.size, &stored.sha256).await
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
    tracing::info!(document_id = %doc.id, size = stored.size, "direct upload stored");
    let mut res = with_etag(
        StatusCode::CREATED,
        &doc,
        &DocumentView::of(&doc, Some(&version)),
    );
    if let Ok(location) = format!("/api/v1/documents/{}", doc.id).parse() {
        res.headers_mut().insert(LOCATION, location);
    }
    Ok(res)
}
