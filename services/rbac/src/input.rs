//! Request bodies, validated field by field so a client learns every problem at once.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::catalogue::{self, REACHES};
use crate::model::{GRANT_ACTIONS, ScopeReach};

/// A JSON body decoded after the caller was authorized (the order of
/// ARCHITECTURE §5: a refused caller learns nothing about the body's shape).
pub fn parse<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            ErrorCode::ValidationError,
            "The request body does not match the expected shape",
        )
        .with_details(serde_json::json!({ "reason": e.to_string() }))
    })
}

fn uuid_field(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<Uuid> {
    match value.map(str::trim) {
        None | Some("") => {
            errors.missing(field);
            None
        }
        Some(v) => match v.parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(field, ErrorCode::InvalidFieldFormat, "must be a UUID");
                None
            }
        },
    }
}

fn time_field(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<DateTime<Utc>> {
    let v = value?;
    match DateTime::parse_from_rfc3339(v.trim()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z",
            );
            None
        }
    }
}

/// `from` and `until` of a time window: `until` after `from` and in the future.
fn window(
    errors: &mut FieldErrors,
    (from_field, from): (&str, Option<&str>),
    (until_field, until): (&str, Option<&str>),
    now: DateTime<Utc>,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let starts = time_field(errors, from_field, from);
    let ends = time_field(errors, until_field, until);
    let starts_at = starts.unwrap_or(now);
    if let Some(end) = ends {
        if end <= starts_at {
            errors.add(
                until_field,
                ErrorCode::InvalidFieldFormat,
                format!("must be after {from_field}"),
            );
        } else if end <= now {
            errors.add(
                until_field,
                ErrorCode::InvalidFieldFormat,
                "must be in the future",
            );
        }
    }
    (starts_at, ends)
}

/// A role's scopes with their reach; `cases:*` is accepted for `matters:*`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeInput {
    pub scope: Option<String>,
    pub reach: Option<String>,
}

fn scopes(errors: &mut FieldErrors, input: Option<&[ScopeInput]>) -> Vec<ScopeReach> {
    let Some(input) = input else {
        errors.missing("scopes");
        return Vec::new();
    };
    let mut out: Vec<ScopeReach> = Vec::new();
    for (i, item) in input.iter().enumerate() {
        let field = format!("scopes[{i}].scope");
        let scope = match item.scope.as_deref().map(str::trim) {
            None | Some("") => {
                errors.missing(&field);
                continue;
            }
            Some(s) => catalogue::canonical_scope(s),
        };
        if catalogue::permission(&scope).is_none() {
            errors.add(&field, ErrorCode::InvalidEnumValue, "is not a known scope");
            continue;
        }
        if out.iter().any(|s| s.scope == scope) {
            errors.add(&field, ErrorCode::InvalidFieldFormat, "is given twice");
            continue;
        }
        let reach_field = format!("scopes[{i}].reach");
        let reach = item.reach.as_deref().unwrap_or("ALL");
        errors.one_of(&reach_field, reach, &REACHES);
        out.push(ScopeReach {
            scope,
            reach: reach.to_owned(),
        });
    }
    out.sort();
    out
}

/// `POST /api/v1/rbac/roles`: a custom role of the firm.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRole {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub scopes: Option<Vec<ScopeInput>>,
}

#[derive(Debug)]
pub struct ValidRole {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub scopes: Vec<ScopeReach>,
}

fn is_role_code(code: &str) -> bool {
    (2..=63).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl CreateRole {
    pub fn validate(self) -> Result<ValidRole, ApiError> {
        let mut errors = FieldErrors::new();
        let code = self.code.as_deref().map(str::trim).unwrap_or_default();
        if code.is_empty() {
            errors.missing("code");
        } else if !is_role_code(code) {
            errors.add(
                "code",
                ErrorCode::InvalidFieldFormat,
                "must be 2–63 upper-case letters, digits and underscores, starting with a letter",
            );
        } else if catalogue::builtin_role(code).is_some() {
            errors.add("code", ErrorCode::InvalidFieldFormat, "is a built-in role");
        }
        errors.text("name", self.name.as_deref(), 200);
        if let Some(d) = &self.description
            && d.chars().count() > 2000
        {
            errors.add(
                "description",
                ErrorCode::InvalidFieldFormat,
                "must be at most 2000 characters",
            );
        }
        let scopes = scopes(&mut errors, self.scopes.as_deref());
        errors.into_result()?;
        Ok(ValidRole {
            code: code.to_owned(),
            name: self.name.unwrap_or_default().trim().to_owned(),
            description: self.description,
            scopes,
        })
    }
}

/// `PATCH /api/v1/rbac/roles/{roleId}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateRole {
    pub name: Option<String>,
    pub description: Option<String>,
    pub scopes: Option<Vec<ScopeInput>>,
}

pub struct ValidRoleUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub scopes: Option<Vec<ScopeReach>>,
}

impl UpdateRole {
    pub fn validate(self) -> Result<ValidRoleUpdate, ApiError> {
        let mut errors = FieldErrors::new();
        if self.name.is_none() && self.description.is_none() && self.scopes.is_none() {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        if let Some(name) = &self.name {
            errors.text("name", Some(name), 200);
        }
        let scopes = self.scopes.as_deref().map(|s| scopes(&mut errors, Some(s)));
        errors.into_result()?;
        Ok(ValidRoleUpdate {
            name: self.name.map(|n| n.trim().to_owned()),
            description: self.description,
            scopes,
        })
    }
}

/// `POST /api/v1/rbac/assignments`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAssignment {
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

#[derive(Debug)]
pub struct ValidAssignment {
    pub user_id: Uuid,
    pub role: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl CreateAssignment {
    pub fn validate(self, now: DateTime<Utc>) -> Result<ValidAssignment, ApiError> {
        let mut errors = FieldErrors::new();
        let user_id = uuid_field(&mut errors, "userId", self.user_id.as_deref());
        let role = self
            .role
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        if role.is_empty() {
            errors.missing("role");
        } else if !is_role_code(&role) {
            errors.add("role", ErrorCode::InvalidEnumValue, "is not a role code");
        }
        let (starts_at, ends_at) = window(
            &mut errors,
            ("startsAt", self.starts_at.as_deref()),
            ("endsAt", self.ends_at.as_deref()),
            now,
        );
        errors.into_result()?;
        Ok(ValidAssignment {
            user_id: user_id.unwrap_or_default(),
            role,
            starts_at,
            ends_at,
        })
    }
}

/// `POST /api/v1/rbac/resources/{type}/{id}[/{subType}/{subId}]/grants` (Backstage §4.2.3).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGrant {
    pub user_id: Option<String>,
    pub action: Option<String>,
    pub starts_at: Option<String>,
    pub expires_at: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug)]
pub struct ValidGrant {
    pub user_id: Uuid,
    pub action: String,
    pub starts_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl CreateGrant {
    pub fn validate(self, now: DateTime<Utc>, errors: FieldErrors) -> Result<ValidGrant, ApiError> {
        let mut errors = errors;
        let user_id = uuid_field(&mut errors, "userId", self.user_id.as_deref());
        let action = self
            .action
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_ascii_uppercase();
        if action.is_empty() {
            errors.missing("action");
        } else {
            errors.one_of("action", &action, &GRANT_ACTIONS);
        }
        let (starts_at, expires_at) = window(
            &mut errors,
            ("startsAt", self.starts_at.as_deref()),
            ("expiresAt", self.expires_at.as_deref()),
            now,
        );
        if let Some(r) = &self.reason
            && r.chars().count() > 1000
        {
            errors.add(
                "reason",
                ErrorCode::InvalidFieldFormat,
                "must be at most 1000 characters",
            );
        }
        errors.into_result()?;
        Ok(ValidGrant {
            user_id: user_id.unwrap_or_default(),
            action,
            starts_at,
            expires_at,
            reason: self.reason,
        })
    }
}

/// A resource path, `CASE` accepted for `MATTER`.
#[derive(Debug, Clone)]
pub struct ResourcePath {
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    pub sub: Option<(&'static str, Uuid)>,
}

impl ResourcePath {
    /// Checks the path's types (sub-resource types must belong to the type);
    /// bad ones are recorded in `errors` under `resourceType` / `subresourceType`.
    pub fn parse(
        errors: &mut FieldErrors,
        resource_type: &str,
        resource_id: Uuid,
        sub: Option<(&str, Uuid)>,
    ) -> Option<Self> {
        let parent = catalogue::canonical_resource_type(resource_type);
        if parent.is_none() {
            errors.add(
                "resourceType",
                ErrorCode::InvalidEnumValue,
                resource_type_message(),
            );
        }
        let sub = match sub {
            None => None,
            Some((sub_type, sub_id)) => {
                let child = catalogue::canonical_resource_type(sub_type).filter(|child| {
                    parent
                        .and_then(catalogue::resource_type)
                        .is_some_and(|p| p.subresources.contains(child))
                });
                if child.is_none() {
                    errors.add(
                        "subresourceType",
                        ErrorCode::InvalidEnumValue,
                        "is not a sub-resource type of the resource type",
                    );
                }
                Some((child?, sub_id))
            }
        };
        Some(Self {
            resource_type: parent?,
            resource_id,
            sub,
        })
    }
}

fn resource_type_message() -> String {
    let names: Vec<&str> = catalogue::RESOURCE_TYPES.iter().map(|t| t.code).collect();
    format!("must be one of {} (or CASE)", names.join(", "))
}

/// `POST /api/v1/rbac/field-policies` (Backstage §4.2.4).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFieldPolicy {
    pub resource_type: Option<String>,
    pub field: Option<String>,
    pub role: Option<String>,
    pub read: Option<bool>,
    pub write: Option<bool>,
}

#[derive(Debug)]
pub struct ValidFieldPolicy {
    pub resource_type: String,
    pub field: String,
    pub role: String,
    pub read: bool,
    pub write: bool,
}

fn is_field_path(field: &str) -> bool {
    field.len() <= 100
        && field.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_lowercase())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

impl CreateFieldPolicy {
    pub fn validate(self) -> Result<ValidFieldPolicy, ApiError> {
        let mut errors = FieldErrors::new();
        let resource_type = match self.resource_type.as_deref() {
            None | Some("") => {
                errors.missing("resourceType");
                None
            }
            Some(t) => {
                let found = catalogue::canonical_resource_type(t);
                if found.is_none() {
                    errors.add(
                        "resourceType",
                        ErrorCode::InvalidEnumValue,
                        resource_type_message(),
                    );
                }
                found
            }
        };
        let field = self.field.as_deref().map(str::trim).unwrap_or_default();
        if field.is_empty() {
            errors.missing("field");
        } else if !is_field_path(field) {
            errors.add(
                "field",
                ErrorCode::InvalidFieldFormat,
                "must be a camelCase field name, dotted for nested fields",
            );
        }
        let role = self.role.as_deref().map(str::trim).unwrap_or_default();
        if role.is_empty() {
            errors.missing("role");
        } else if !is_role_code(role) {
            errors.add("role", ErrorCode::InvalidEnumValue, "is not a role code");
        }
        if self.read.is_none() {
            errors.missing("read");
        }
        if self.write.is_none() {
            errors.missing("write");
        }
        errors.into_result()?;
        Ok(ValidFieldPolicy {
            resource_type: resource_type.unwrap_or_default().to_owned(),
            field: field.to_owned(),
            role: role.to_owned(),
            read: self.read.unwrap_or_default(),
            write: self.write.unwrap_or_default(),
        })
    }
}

/// `PATCH /api/v1/rbac/field-policies/{id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFieldPolicy {
    pub read: Option<bool>,
    pub write: Option<bool>,
}

impl UpdateFieldPolicy {
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.read.is_none() && self.write.is_none() {
            return Err(FieldErrors::single(
                "body",
                ErrorCode::RequiredFieldMissing,
                "give read, write or both",
            )
            .into());
        }
        Ok(())
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
    fn role_scopes_accept_the_cases_alias_and_name_bad_ones() {
        let body: CreateRole = serde_json::from_value(json!({
            "code": "BILLING_CLERK", "name": "Billing clerk",
            "scopes": [{ "scope": "cases:read", "reach": "ASSIGNED" }, { "scope": "invoices:read" }]
        }))
        .unwrap();
        let valid = body.validate().unwrap();
        assert_eq!(valid.scopes[0].scope, "invoices:read");
        assert_eq!(valid.scopes[1].scope, "matters:read");
        assert_eq!(valid.scopes[1].reach, "ASSIGNED");

        let body: CreateRole = serde_json::from_value(json!({
            "code": "LAWYER", "name": "",
            "scopes": [{ "scope": "planets:read" }, { "scope": "matters:read", "reach": "SOME" }]
        }))
        .unwrap();
        assert_eq!(
            fields(body.validate().unwrap_err()),
            ["code", "name", "scopes[0].scope", "scopes[1].reach"]
        );
    }

    #[test]
    fn grant_windows_are_checked() {
        let now = Utc::now();
        let body: CreateGrant = serde_json::from_value(json!({
            "userId": "nope", "action": "OWN",
            "startsAt": "2030-01-01T00:00:00Z", "expiresAt": "2029-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            fields(body.validate(now, FieldErrors::new()).unwrap_err()),
            ["userId", "action", "expiresAt"]
        );
    }
}
