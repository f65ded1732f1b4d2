//! What the API answers: documents, versions, upload and download URLs.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::model::{Document, Version};

/// A version of a document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    pub id: Uuid,
    pub document_id: Uuid,
    /// 1, 2, … once available; `null` while pending or abandoned.
    pub version_number: Option<i32>,
    /// The version that was current when this one was started.
    pub parent_version_id: Option<Uuid>,
    /// For a restore: the version whose bytes this one copies.
    pub restored_from_version_id: Option<Uuid>,
    /// `PENDING`, `AVAILABLE` or `ABANDONED`.
    pub status: String,
    /// `PRESIGNED`, `DIRECT` or `RESTORE`.
    pub upload_method: String,
    pub file_name: String,
    pub mime_type: String,
    pub file_size: i64,
    /// Lower-case hex SHA-256 of the bytes (declared while pending, checked once available).
    pub sha256: String,
    pub uploaded_by: Option<Uuid>,
    pub is_current: bool,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the bytes were removed (an abandoned upload, a purged document).
    pub object_deleted_at: Option<DateTime<Utc>>,
}

impl VersionView {
    pub fn of(v: &Version, current: Option<Uuid>) -> Self {
        Self {
            id: v.id,
            document_id: v.document_id,
            version_number: v.version_number,
            parent_version_id: v.parent_version_id,
            restored_from_version_id: v.restored_from_version_id,
            status: v.status.clone(),
            upload_method: v.upload_method.clone(),
            file_name: v.file_name.clone(),
            mime_type: v.mime_type.clone(),
            file_size: v.size_bytes,
            sha256: v.sha256_hex(),
            uploaded_by: v.uploaded_by,
            is_current: current == Some(v.id),
            created_at: v.created_at,
            completed_at: v.completed_at,
            object_deleted_at: v.object_deleted_at,
        }
    }
}

/// A document (Backstage §5.1.5) with its current version's file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    pub id: Uuid,
    pub firm_id: Uuid,
    /// `MATTER`, `CLIENT` or `GENERAL`.
    pub resource_type: String,
    /// The matter or client; `null` for a general document.
    pub resource_id: Option<Uuid>,
    /// The matter of a matter document.
    pub matter_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    /// `PLEADING`, `EVIDENCE`, `CONTRACT`, `CORRESPONDENCE` or `OTHER`.
    pub category: String,
    pub privileged: bool,
    pub confidential: bool,
    pub tags: Vec<String>,
    /// `PENDING` until a first version is available, then `AVAILABLE`.
    pub status: String,
    /// The current version's number (`null` while pending).
    pub version: Option<i32>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: Option<DateTime<Utc>>,
    pub current_version: Option<VersionView>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl DocumentView {
    pub fn of(doc: &Document, current: Option<&Version>) -> Self {
        let current = current.filter(|v| Some(v.id) == doc.current_version_id);
        Self {
            id: doc.id,
            firm_id: doc.firm_id,
            resource_type: doc.resource_type.clone(),
            resource_id: doc.resource_id,
            matter_id: doc.matter_id(),
            name: doc.name.clone(),
            description: doc.description.clone(),
            category: doc.category.clone(),
            privileged: doc.privileged,
            confidential: doc.confidential,
            tags: doc.tags.clone(),
            status: if current.is_some() {
                "AVAILABLE"
            } else {
                "PENDING"
            }
            .to_owned(),
            version: current.and_then(|v| v.version_number),
            file_name: current.map(|v| v.file_name.clone()),
            file_size: current.map(|v| v.size_bytes),
            mime_type: current.map(|v| v.mime_type.clone()),
            sha256: current.map(Version::sha256_hex),
            uploaded_by: current.and_then(|v| v.uploaded_by),
            uploaded_at: current.and_then(|v| v.completed_at),
            current_version: current.map(|v| VersionView::of(v, doc.current_version_id)),
            created_by: doc.created_by,
            created_at: doc.created_at,
            updated_at: doc.updated_at,
            archived_at: doc.archived_at,
        }
    }
}

/// A presigned request to the object store.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignedView {
    /// `PUT` for uploads, `GET` for downloads.
    pub method: String,
    pub url: String,
    /// Headers to send exactly as given (they are signed).
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

impl From<lawos_storage::Presigned> for PresignedView {
    fn from(p: lawos_storage::Presigned) -> Self {
        Self {
            method: p.method,
            url: p.url,
            headers: p.headers.into_iter().collect(),
            expires_at: p.expires_at,
        }
    }
}

/// `POST /api/v1/documents/` and `POST /{id}/versions`: the document, its
/// pending version and where to PUT the bytes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadStarted {
    pub document: DocumentView,
    pub version: VersionView,
    pub upload: PresignedView,
}

/// `GET /api/v1/documents/{id}`: the document and a short-lived download URL
/// of its current version (`null` while pending).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentWithDownload {
    #[serde(flatten)]
    pub document: DocumentView,
    pub download: Option<PresignedView>,
}

/// `GET /{id}/versions/{versionId}`: a version and, when available, its download URL.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionWithDownload {
    #[serde(flatten)]
    pub version: VersionView,
    pub download: Option<PresignedView>,
}

/// A search hit: the document and its rank (`null` without `q`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedDocument {
    #[serde(flatten)]
    pub document: DocumentView,
    pub rank: Option<f32>,
}
