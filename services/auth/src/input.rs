//! Request bodies, validated field by field so a client learns every problem at once.

pub mod credential;
pub mod logto;
pub mod provision;
pub mod queries;
pub mod sso;
pub mod support;
pub mod user_patch;

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use serde_json::{Map, Value};

const MAX_PREFERENCES_BYTES: usize = 16 * 1024;

/// Fields of the profile representation that the caller may read but not
/// write here: identity and role are managed by administrators.
const READ_ONLY: [&str; 9] = [
    "email",
    "role",
    "platformRole",
    "isLawyer",
    "isActive",
    "firmId",
    "id",
    "createdAt",
    "updatedAt",
];

/// `PATCH /api/v1/auth/me`: every field optional; `null` clears title and phone.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MePatch {
    pub full_name: Option<String>,
    pub title: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// A one-level JSON merge patch (RFC 7396): `null` removes a key.
    pub preferences: Option<Map<String, Value>>,
}

pub(crate) fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Value,
    max: usize,
) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) if s.trim().chars().count() > max => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                format!("must be at most {max} characters"),
            );
            None
        }
        Value::String(s) => Some(Some(s.trim().to_owned())),
        _ => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be a string or null",
            );
            None
        }
    }
}

pub(crate) fn is_phone(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

impl MePatch {
    /// The body [`MePatch::parse`] accepts, for the OpenAPI document (read-only
    /// fields are refused with 403, unknown ones with 422). `fullName` and
    /// `title` are at most 200 characters, `phone` 40, `preferences` 16 KiB.
    pub fn schema() -> Value {
        serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
                "fullName": { "type": "string" },
                "title": { "type": ["string", "null"] },
                "phone": { "type": ["string", "null"] },
                "preferences": { "type": "object" }
            }
        })
    }

    /// 403 naming the first read-only field written; 422 naming every unknown
    /// or invalid field.
    pub fn parse(body: Map<String, Value>) -> Result<Self, ApiError> {
        let read_only: Vec<&str> = READ_ONLY
            .iter()
            .copied()
            .filter(|f| body.contains_key(*f))
            .collect();
        if let Some(field) = read_only.first() {
            return Err(ApiError::permission_denied(format!(
                "The field {field} cannot be changed here"
            ))
            .with_details(serde_json::json!({ "field": field, "fields": read_only })));
        }
        let mut errors = FieldErrors::new();
        let mut patch = Self::default();
        for (key, value) in &body {
            match key.as_str() {
                "fullName" => match value {
                    Value::String(s) => {
                        errors.text("fullName", Some(s), 200);
                        patch.full_name = Some(s.trim().to_owned());
                    }
                    _ => errors.add(
                        "fullName",
                        ErrorCode::InvalidFieldFormat,
                        "must be a string",
                    ),
                },
                "title" => patch.title = optional_text(&mut errors, "title", value, 200),
                "phone" => {
                    patch.phone = optional_text(&mut errors, "phone", value, 40);
                    if let Some(Some(phone)) = &patch.phone
                        && !is_phone(phone)
                    {
                        errors.add(
                            "phone",
                            ErrorCode::InvalidFieldFormat,
                            "must be a telephone number (digits, spaces, + - ( ) .)",
                        );
                    }
                }
                "preferences" => match value {
                    Value::Object(map) => patch.preferences = Some(map.clone()),
                    _ => errors.add(
                        "preferences",
                        ErrorCode::InvalidFieldFormat,
                        "must be an object",
                    ),
                },
                other => errors.add(other, ErrorCode::ValidationError, "is not a known field"),
            }
        }
        if body.is_empty() {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        errors.into_result()?;
        Ok(patch)
    }

    /// Whether the patch writes fields of the firm profile.
    pub fn touches_profile(&self) -> bool {
        self.title.is_some() || self.phone.is_some() || self.preferences.is_some()
    }

    /// The preferences after the merge patch, if the patch has one.
    pub fn merged_preferences(&self, current: &Value) -> Result<Option<Value>, ApiError> {
        let Some(patch) = &self.preferences else {
            return Ok(None);
        };
        let mut merged = current.as_object().cloned().unwrap_or_default();
        for (key, value) in patch {
            if value.is_null() {
                merged.remove(key);
            } else {
                merged.insert(key.clone(), value.clone());
            }
        }
        let merged = Value::Object(merged);
        if merged.to_string().len() > MAX_PREFERENCES_BYTES {
            return Err(FieldErrors::single(
                "preferences",
                ErrorCode::InvalidFieldFormat,
                "must be at most 16 KiB",
            )
            .into());
        }
        Ok(Some(merged))
    }

    /// 422 naming the profile fields written by a caller without a firm profile.
    pub fn no_profile_error(&self) -> ApiError {
        let mut errors = FieldErrors::new();
        for (field, set) in [
            ("title", self.title.is_some()),
            ("phone", self.phone.is_some()),
            ("preferences", self.preferences.is_some()),
        ] {
            if set {
                errors.add(
                    field,
                    ErrorCode::InvalidFieldFormat,
                    "belongs to a firm profile, and the token names no firm you belong to",
                );
            }
        }
        errors.into_api_error()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<MePatch, ApiError> {
        MePatch::parse(v.as_object().cloned().unwrap())
    }

    #[test]
    fn the_documented_schema_names_exactly_the_fields_parse_accepts() {
        let samples = json!({
            "fullName": "Ada Lovelace", "title": "Partner", "phone": "+1 555 010 2030",
            "preferences": { "theme": "dark" }
        });
        let schema = MePatch::schema();
        let documented = schema["properties"].as_object().unwrap();
        assert_eq!(documented.len(), samples.as_object().unwrap().len());
        for (field, sample) in samples.as_object().unwrap() {
            assert!(documented.contains_key(field), "{field} undocumented");
            assert!(parse(json!({ field: sample })).is_ok(), "{field} refused");
        }
    }

    #[test]
    fn read_only_fields_are_forbidden_by_name() {
        let err =
            parse(json!({"fullName": "A", "role": "FIRM_ADMIN", "email": "x@y.z"})).unwrap_err();
        assert_eq!(err.code, ErrorCode::PermissionDenied);
        assert_eq!(err.details.unwrap()["field"], "email");
    }

    #[test]
    fn names_every_invalid_field() {
        let err =
            parse(json!({"fullName": " ", "phone": "call me", "preferences": 3, "nickname": "x"}))
                .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationError);
        let fields: Vec<String> = err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        for f in ["fullName", "phone", "preferences", "nickname"] {
            assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
        }
    }

    #[test]
    fn merges_preferences_and_clears_with_null() {
        let p =
            parse(json!({"title": null, "preferences": {"theme": "dark", "lang": null}})).unwrap();
        assert_eq!(p.title, Some(None));
        let merged = p
            .merged_preferences(&json!({"lang": "en", "tz": "UTC"}))
            .unwrap()
            .unwrap();
        assert_eq!(merged, json!({"theme": "dark", "tz": "UTC"}));
    }
}
