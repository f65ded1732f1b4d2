//! `PATCH /api/v1/documents/{id}`: the document's metadata (never its parent).

use lawos_core::ApiError;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::{check_category, check_description, check_name, check_tags, trimmed};

/// Absent → `None`, `null` → `Some(None)`.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Fields absent stay as they are; `description: null` clears it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchDocument {
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// `PLEADING`, `EVIDENCE`, `CONTRACT`, `CORRESPONDENCE` or `OTHER`.
    pub category: Option<String>,
    /// Changing it needs `documents:privileged`.
    pub privileged: Option<bool>,
    pub confidential: Option<bool>,
    pub tags: Option<Vec<String>>,
}

/// A validated change.
#[derive(Debug, Clone, Default)]
pub struct ValidPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub category: Option<String>,
    pub privileged: Option<bool>,
    pub confidential: Option<bool>,
    pub tags: Option<Vec<String>>,
}

impl PatchDocument {
    pub fn validate(self) -> Result<ValidPatch, ApiError> {
        let mut errors = FieldErrors::new();
        if let Some(name) = self.name.as_deref() {
            check_name(&mut errors, "name", Some(name), true);
        }
        if let Some(Some(d)) = self.description.as_ref() {
            check_description(&mut errors, Some(d));
        }
        let category = self
            .category
            .as_deref()
            .map(|c| check_category(&mut errors, Some(c)));
        let tags = self.tags.map(|t| check_tags(&mut errors, Some(t)));
        errors.into_result()?;
        Ok(ValidPatch {
            name: trimmed(self.name),
            description: self.description.map(trimmed),
            category,
            privileged: self.privileged,
            confidential: self.confidential,
            tags,
        })
    }
}
