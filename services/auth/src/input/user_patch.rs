//! `PATCH /api/v1/auth/users/{userId}`: an administrator's changes to a user.
//! Identity: `fullName`, `email` (platform administrators, local identities
//! only). Firm profile: `title`, `phone`, `isLawyer`, in the firm of a firm
//! administrator or the `firmId` a platform administrator names. Roles change
//! through rbac assignments, activity through DELETE: both are read-only here.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{is_phone, optional_text};

const READ_ONLY: [&str; 10] = [
    "id",
    "issuer",
    "subject",
    "role",
    "platformRole",
    "isActive",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "syncedAt",
];

#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserPatch {
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub firm_id: Option<Uuid>,
    pub title: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub is_lawyer: Option<bool>,
}

impl UserPatch {
    /// The body [`UserPatch::parse`] accepts, for the OpenAPI document
    /// (read-only fields are refused with 403, unknown ones with 422).
    /// `fullName` and `title` are at most 200 characters, `phone` 40.
    pub fn schema() -> Value {
        serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
                "fullName": { "type": "string" },
                "email": { "type": "string" },
                "firmId": { "type": "string", "format": "uuid" },
                "title": { "type": ["string", "null"] },
                "phone": { "type": ["string", "null"] },
                "isLawyer": { "type": "boolean" }
            }
        })
    }

    /// 403 naming the read-only fields written; 422 naming every unknown or bad field.
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
            match (key.as_str(), value) {
                ("fullName", Value::String(s)) => {
                    errors.text("fullName", Some(s), 200);
                    patch.full_name = Some(s.trim().to_owned());
                }
                ("email", Value::String(s)) => {
                    errors.email("email", Some(s.trim()));
                    patch.email = Some(s.trim().to_lowercase());
                }
                ("firmId", Value::String(s)) => match Uuid::parse_str(s) {
                    Ok(id) => patch.firm_id = Some(id),
                    Err(_) => errors.add("firmId", ErrorCode::InvalidFieldFormat, "must be a uuid"),
                },
                ("isLawyer", Value::Bool(b)) => patch.is_lawyer = Some(*b),
                ("title", v) => patch.title = optional_text(&mut errors, "title", v, 200),
                ("phone", v) => {
                    patch.phone = optional_text(&mut errors, "phone", v, 40);
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
                ("fullName" | "email" | "firmId", _) => {
                    errors.add(key, ErrorCode::InvalidFieldFormat, "must be a string");
                }
                ("isLawyer", _) => {
                    errors.add(key, ErrorCode::InvalidFieldFormat, "must be a boolean");
                }
                (other, _) => errors.add(other, ErrorCode::ValidationError, "is not a known field"),
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

    /// Whether the patch writes fields of a firm profile.
    pub fn touches_profile(&self) -> bool {
        self.title.is_some() || self.phone.is_some() || self.is_lawyer.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_schema_names_exactly_the_fields_parse_accepts() {
        let samples = json!({
            "fullName": "Ada Lovelace", "email": "ada@example.com",
            "firmId": "01a23b9d-a2ad-7449-a83b-2e50dfde2f3c", "title": "Partner",
            "phone": "+1 555 010 2030", "isLawyer": true
        });
        let schema = UserPatch::schema();
        let documented = schema["properties"].as_object().unwrap();
        assert_eq!(documented.len(), samples.as_object().unwrap().len());
        for (field, sample) in samples.as_object().unwrap() {
            assert!(documented.contains_key(field), "{field} undocumented");
            let body = json!({ field: sample }).as_object().cloned().unwrap();
            assert!(UserPatch::parse(body).is_ok(), "{field} refused");
        }
    }

    #[test]
    fn names_every_bad_field_and_refuses_read_only_ones() {
        let parse = |v: Value| UserPatch::parse(v.as_object().cloned().unwrap());
        let err = parse(json!({"role": "LAWYER"})).unwrap_err();
        assert_eq!(err.code, ErrorCode::PermissionDenied);
        let err = parse(json!({"email": "nope", "isLawyer": "yes", "phone": "x", "nick": 1}))
            .unwrap_err();
        let details = err.details.unwrap().to_string();
        for f in ["email", "isLawyer", "phone", "nick"] {
            assert!(details.contains(f), "{f} in {details}");
        }
        let ok = parse(json!({"title": null, "isLawyer": true})).unwrap();
        assert!(ok.touches_profile());
    }
}
