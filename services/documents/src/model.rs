//! Rows of the documents schema and the closed sets their columns hold.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{document_versions, documents};

pub const RESOURCE_TYPES: [&str; 3] = ["MATTER", "CLIENT", "GENERAL"];
pub const CATEGORIES: [&str; 5] = [
    "PLEADING",
    "EVIDENCE",
    "CONTRACT",
    "CORRESPONDENCE",
    "OTHER",
];

pub const PENDING: &str = "PENDING";
pub const AVAILABLE: &str = "AVAILABLE";
pub const ABANDONED: &str = "ABANDONED";

pub const PRESIGNED: &str = "PRESIGNED";
pub const DIRECT: &str = "DIRECT";
pub const RESTORE: &str = "RESTORE";

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = documents, check_for_backend(diesel::pg::Pg))]
pub struct Document {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub category: String,
    pub privileged: bool,
    pub confidential: bool,
    pub tags: Vec<String>,
    pub current_version_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Document {
    /// The matter a matter document lies under.
    pub fn matter_id(&self) -> Option<Uuid> {
        (self.resource_type == "MATTER")
            .then_some(self.resource_id)
            .flatten()
    }

    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocument {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub category: String,
    pub privileged: bool,
    pub confidential: bool,
    pub tags: Vec<String>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = document_versions, check_for_backend(diesel::pg::Pg))]
pub struct Version {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub document_id: Uuid,
    pub version_number: Option<i32>,
    pub parent_version_id: Option<Uuid>,
    pub restored_from_version_id: Option<Uuid>,
    pub status: String,
    pub upload_method: String,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Vec<u8>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub object_deleted_at: Option<DateTime<Utc>>,
}

impl Version {
    /// Where its bytes are: `{firmId}/{documentId}/{versionId}`.
    pub fn object_key(&self) -> String {
        object_key(self.firm_id, self.document_id, self.id)
    }

    pub fn sha256_hex(&self) -> String {
        hex::encode(&self.sha256)
    }

    pub fn is_available(&self) -> bool {
        self.status == AVAILABLE
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = document_versions)]
pub struct NewVersion {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub document_id: Uuid,
    pub parent_version_id: Option<Uuid>,
    pub restored_from_version_id: Option<Uuid>,
    pub status: String,
    pub upload_method: String,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Vec<u8>,
    pub uploaded_by: Option<Uuid>,
}

/// The object key of a version: ids only, never user input.
pub fn object_key(firm: Uuid, document: Uuid, version: Uuid) -> String {
    format!("{firm}/{document}/{version}")
}
