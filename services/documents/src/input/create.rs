//! A new document (metadata and its first file) and a new version's file.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    check_category, check_description, check_mime, check_name, check_resource_type, check_tags,
    trimmed,
};

/// The document's metadata, validated.
#[derive(Debug, Clone)]
pub struct ValidMetadata {
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    /// `None`: the file's name.
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: String,
    pub privileged: bool,
    pub confidential: bool,
    pub tags: Vec<String>,
}

/// A file to upload, validated.
#[derive(Debug, Clone)]
pub struct ValidFile {
    pub file_name: String,
    pub mime_type: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// The metadata fields shared by `POST /` and the multipart upload.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectMetadata {
    /// `MATTER` (or `CASE`), `CLIENT` or `GENERAL`.
    pub resource_type: Option<String>,
    /// The matter or client; absent for `GENERAL`.
    pub resource_id: Option<Uuid>,
    /// Display name (default: the file name).
    pub name: Option<String>,
    pub description: Option<String>,
    /// `PLEADING`, `EVIDENCE`, `CONTRACT`, `CORRESPONDENCE` or `OTHER` (default).
    pub category: Option<String>,
    /// Attorney-client privileged: readable only with `documents:privileged`.
    pub privileged: Option<bool>,
    pub confidential: Option<bool>,
    pub tags: Option<Vec<String>>,
}

impl DirectMetadata {
    pub(crate) fn check(self, errors: &mut FieldErrors) -> ValidMetadata {
        let resource_type = check_resource_type(errors, self.resource_type.as_deref());
        match (resource_type.as_str(), self.resource_id) {
            ("MATTER" | "CLIENT", None) => errors.missing("resourceId"),
            ("GENERAL", Some(_)) => errors.add(
                "resourceId",
                ErrorCode::InvalidFieldFormat,
                "must be absent for a GENERAL document",
            ),
            _ => {}
        }
        check_name(errors, "name", self.name.as_deref(), false);
        check_description(errors, self.description.as_deref());
        let category = check_category(errors, self.category.as_deref());
        let tags = check_tags(errors, self.tags);
        ValidMetadata {
            resource_id: if resource_type == "GENERAL" {
                None
            } else {
                self.resource_id
            },
            resource_type,
            name: trimmed(self.name),
            description: trimmed(self.description),
            category,
            privileged: self.privileged.unwrap_or(false),
            confidential: self.confidential.unwrap_or(false),
            tags,
        }
    }

    /// For the multipart upload, whose file comes in another part.
    pub fn validate(self) -> Result<ValidMetadata, ApiError> {
        let mut errors = FieldErrors::new();
        let valid = self.check(&mut errors);
        errors.into_result()?;
        Ok(valid)
    }
}

/// The file fields of a presigned upload.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileFields {
    pub file_name: Option<String>,
    /// The media type the PUT must send (signed).
    pub mime_type: Option<String>,
    /// The exact number of bytes the PUT must send (signed).
    pub file_size: Option<i64>,
    /// Lower-case hex SHA-256 of the bytes (signed where the store checks it, and checked on completion).
    pub sha256: Option<String>,
}

impl FileFields {
    pub(crate) fn check(self, errors: &mut FieldErrors, max: u64) -> ValidFile {
        check_name(errors, "fileName", self.file_name.as_deref(), true);
        let mime_type = check_mime(errors, "mimeType", self.mime_type.as_deref());
        let size = match self.file_size {
            None => {
                errors.missing("fileSize");
                0
            }
            Some(n) if n < 1 || n as u64 > max => {
                errors.add(
                    "fileSize",
                    ErrorCode::InvalidFieldFormat,
                    format!("must be between 1 and {max} bytes"),
                );
                0
            }
            Some(n) => n as u64,
        };
        let sha256 = match self.sha256.as_deref().map(str::trim) {
            None | Some("") => {
                errors.missing("sha256");
                [0; 32]
            }
            Some(h) => match lawos_storage::parse_hex_digest(&h.to_ascii_lowercase()) {
                Some(d) => d,
                None => {
                    errors.add(
                        "sha256",
                        ErrorCode::InvalidFieldFormat,
                        "must be 64 hexadecimal characters",
                    );
                    [0; 32]
                }
            },
        };
        ValidFile {
            file_name: trimmed(self.file_name).unwrap_or_default(),
            mime_type,
            size,
            sha256,
        }
    }
}

/// `POST /api/v1/documents/`: a document and its first file, uploaded with the
/// presigned PUT the answer carries.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDocument {
    /// `MATTER` (or `CASE`), `CLIENT` or `GENERAL`.
    pub resource_type: Option<String>,
    /// The matter or client; absent for `GENERAL`.
    pub resource_id: Option<Uuid>,
    /// Display name (default: the file name).
    pub name: Option<String>,
    pub description: Option<String>,
    /// `PLEADING`, `EVIDENCE`, `CONTRACT`, `CORRESPONDENCE` or `OTHER` (default).
    pub category: Option<String>,
    /// Attorney-client privileged: readable only with `documents:privileged`.
    pub privileged: Option<bool>,
    pub confidential: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub file_name: Option<String>,
    /// The media type the PUT must send (signed).
    pub mime_type: Option<String>,
    /// The exact number of bytes the PUT must send (signed).
    pub file_size: Option<i64>,
    /// Lower-case hex SHA-256 of the bytes (checked on completion).
    pub sha256: Option<String>,
}

impl CreateDocument {
    pub fn validate(self, max: u64) -> Result<(ValidMetadata, ValidFile), ApiError> {
        let mut errors = FieldErrors::new();
        let metadata = DirectMetadata {
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            name: self.name,
            description: self.description,
            category: self.category,
            privileged: self.privileged,
            confidential: self.confidential,
            tags: self.tags,
        }
        .check(&mut errors);
        let file = FileFields {
            file_name: self.file_name,
            mime_type: self.mime_type,
            file_size: self.file_size,
            sha256: self.sha256,
        }
        .check(&mut errors, max);
        errors.into_result()?;
        Ok((metadata, file))
    }
}

/// `POST /api/v1/documents/{id}/versions`: a new version's file.
pub type NewVersionBody = FileFields;

impl FileFields {
    pub fn validate(self, max: u64) -> Result<ValidFile, ApiError> {
        let mut errors = FieldErrors::new();
        let file = self.check(&mut errors, max);
        errors.into_result()?;
        Ok(file)
    }
}
