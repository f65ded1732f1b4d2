//! Request bodies, validated field by field so a client learns every problem at once.

mod leads;
mod lookup;
mod records;
mod team;

pub use leads::{
    CreateLeadForm, CreateMetaPage, LEAD_BODY_LIMIT, LeadBody, ValidLead, ValidMetaPage,
};
pub use lookup::{LOOKUP_MAX, PartyLookup};
pub use records::{AddBudget, AddParty, NoteBody, ValidBudget, ValidParty};
pub use team::{AddMember, ValidMember};

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::model::{MATTER_TYPES, MatterChanges};
use crate::stage::{STAGES, Stage};

const TITLE_MAX: usize = 300;
const DESCRIPTION_MAX: usize = 10_000;
const PRACTICE_AREA_MAX: usize = 100;

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The names of the fields a body carries, for the field-policy write check.
fn written(names: &[(&str, bool)]) -> Value {
    Value::Object(
        names
            .iter()
            .filter(|(_, present)| *present)
            .map(|(name, _)| ((*name).to_owned(), Value::Null))
            .collect::<Map<_, _>>(),
    )
}

pub(crate) fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) {
    if let Some(v) = value
        && v.trim().chars().count() > max
    {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {max} characters"),
        );
    }
}

pub(crate) fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `POST /api/v1/matters/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub matter_type: Option<String>,
    pub practice_area: Option<String>,
    pub client_id: Option<Uuid>,
    /// `LEAD` or `OPEN` (the default); later stages are reached through `/stage`.
    pub stage: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
}

/// A validated creation.
#[derive(Debug, Clone)]
pub struct ValidMatter {
    pub data: MatterChanges,
    pub stage: Stage,
    pub opened_at: Option<DateTime<Utc>>,
}

impl CreateMatter {
    pub fn written(&self) -> Value {
        written(&[
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("matterType", self.matter_type.is_some()),
            ("practiceArea", self.practice_area.is_some()),
            ("clientId", self.client_id.is_some()),
            ("stage", self.stage.is_some()),
            ("openedAt", self.opened_at.is_some()),
        ])
    }

    pub fn validate(self) -> Result<ValidMatter, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("title", self.title.as_deref(), TITLE_MAX);
        optional_text(
            &mut errors,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        match self.matter_type.as_deref() {
            None | Some("") => errors.missing("matterType"),
            Some(t) => errors.one_of("matterType", t, &MATTER_TYPES),
        }
        optional_text(
            &mut errors,
            "practiceArea",
            self.practice_area.as_deref(),
            PRACTICE_AREA_MAX,
        );
        let stage = match self.stage.as_deref() {
            None => Stage::Open,
            Some(s) => match Stage::parse(s) {
                Some(stage @ (Stage::Lead | Stage::Open)) => stage,
                _ => {
                    errors.one_of("stage", s, &["LEAD", "OPEN"]);
                    Stage::Open
                }
            },
        };
        if stage == Stage::Lead && self.opened_at.is_some() {
            errors.add(
                "openedAt",
                ErrorCode::InvalidFieldFormat,
                "a LEAD matter is not open yet",
            );
        }
        errors.into_result()?;
        let opened_at = match stage {
            Stage::Open => Some(self.opened_at.unwrap_or_else(Utc::now)),
            _ => None,
        };
        Ok(ValidMatter {
            data: MatterChanges {
                title: self.title.map(|t| t.trim().to_owned()),
                description: Some(trimmed(self.description)),
                matter_type: self.matter_type,
                practice_area: Some(trimmed(self.practice_area)),
                client_id: Some(self.client_id),
            },
            stage,
            opened_at,
        })
    }
}

/// `PUT /api/v1/matters/{id}`: every data field; absent optional fields are cleared.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplaceMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub matter_type: Option<String>,
    pub practice_area: Option<String>,
    pub client_id: Option<Uuid>,
}

impl ReplaceMatter {
    pub fn into_patch(self) -> UpdateMatter {
        UpdateMatter {
            title: self.title,
            description: Some(self.description),
            matter_type: self.matter_type,
            practice_area: Some(self.practice_area),
            client_id: Some(self.client_id),
            full: true,
        }
    }
}

/// `PATCH /api/v1/matters/{id}`: only the given fields; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMatter {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    pub matter_type: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub practice_area: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub client_id: Option<Option<Uuid>>,
    /// Set for PUT: title and matterType are required.
    #[serde(skip)]
    pub full: bool,
}

impl UpdateMatter {
    pub fn written(&self) -> Value {
        written(&[
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("matterType", self.matter_type.is_some()),
            ("practiceArea", self.practice_area.is_some()),
            ("clientId", self.client_id.is_some()),
        ])
    }

    /// The client the change points the matter at, to be checked with contacts.
    pub fn new_client(&self) -> Option<Uuid> {
        self.client_id.flatten()
    }

    pub fn validate(self) -> Result<MatterChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let empty = self.title.is_none()
            && self.description.is_none()
            && self.matter_type.is_none()
            && self.practice_area.is_none()
            && self.client_id.is_none();
        if empty {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        if self.full || self.title.is_some() {
            errors.text("title", self.title.as_deref(), TITLE_MAX);
        }
        if let Some(d) = &self.description {
            optional_text(&mut errors, "description", d.as_deref(), DESCRIPTION_MAX);
        }
        match self.matter_type.as_deref() {
            None if self.full => errors.missing("matterType"),
            None => {}
            Some(t) => errors.one_of("matterType", t, &MATTER_TYPES),
        }
        if let Some(p) = &self.practice_area {
            optional_text(&mut errors, "practiceArea", p.as_deref(), PRACTICE_AREA_MAX);
        }
        errors.into_result()?;
        Ok(MatterChanges {
            title: self.title.map(|t| t.trim().to_owned()),
            description: self.description.map(trimmed),
            matter_type: self.matter_type,
            practice_area: self.practice_area.map(trimmed),
            client_id: self.client_id,
        })
    }
}

/// `PUT /api/v1/matters/{id}/stage`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeStage {
    pub stage: Option<String>,
}

impl ChangeStage {
    pub fn validate(&self) -> Result<Stage, ApiError> {
        match self.stage.as_deref() {
            None | Some("") => {
                Err(
                    FieldErrors::single("stage", ErrorCode::RequiredFieldMissing, "is required")
                        .into(),
                )
            }
            Some(s) => Stage::parse(s).ok_or_else(|| {
                let mut errors = FieldErrors::new();
                errors.one_of("stage", s, &STAGES);
                errors.into_api_error()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(err: ApiError) -> Vec<String> {
        err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn create_names_every_bad_field() {
        let body: CreateMatter = serde_json::from_value(json!({
            "title": " ", "matterType": "MARITIME", "stage": "CLOSED",
            "practiceArea": "x".repeat(101)
        }))
        .unwrap();
        assert_eq!(
            fields(body.validate().unwrap_err()),
            ["title", "matterType", "practiceArea", "stage"]
        );
    }

    #[test]
    fn patch_tells_absent_from_null() {
        let patch: UpdateMatter = serde_json::from_value(json!({ "description": null })).unwrap();
        assert_eq!(patch.description, Some(None));
        assert_eq!(patch.practice_area, None);
        let changes = patch.validate().unwrap();
        assert_eq!(changes.description, Some(None));
        assert!(changes.title.is_none());
    }

    #[test]
    fn put_requires_title_and_type() {
        let put: ReplaceMatter = serde_json::from_value(json!({ "description": "d" })).unwrap();
        assert_eq!(
            fields(put.into_patch().validate().unwrap_err()),
            ["title", "matterType"]
        );
    }
}
