//! Bodies and queries of the Logto bridge: adding or inviting a member and
//! replacing a member's organization roles.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::Deserialize;

const MAX_ROLES: usize = 50;
const MAX_ID: usize = 128;

/// `POST /api/v1/auth/firms/{firmId}/logto/members`: `email` or `logtoUserId`,
/// `roleIds` (Logto organization role ids), `invite` (send an invitation even
/// when the user already exists in Logto).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMember {
    pub email: Option<String>,
    pub logto_user_id: Option<String>,
    pub role_ids: Option<Vec<String>>,
    pub invite: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidAddMember {
    pub email: Option<String>,
    pub logto_user_id: Option<String>,
    pub role_ids: Vec<String>,
    pub invite: bool,
}

/// `PUT …/logto/members/{memberId}/roles`: the complete new set of role ids.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplaceRoles {
    pub role_ids: Option<Vec<String>>,
}

/// `?cursor=&limit=` of the bridge's lists.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl ListQuery {
    pub fn validate(self) -> Result<(PageParams, i64), ApiError> {
        let page = PageParams {
            cursor: self.cursor,
            limit: self.limit,
        };
        let limit = page.limit().map_err(ApiError::from)?;
        Ok((page, limit))
    }
}

fn role_ids(errors: &mut FieldErrors, ids: Option<Vec<String>>) -> Vec<String> {
    let ids = ids.unwrap_or_default();
    if ids.len() > MAX_ROLES {
        errors.add(
            "roleIds",
            ErrorCode::InvalidFieldFormat,
            format!("at most {MAX_ROLES} roles"),
        );
    }
    let mut valid: Vec<String> = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let id = id.trim();
        if id.is_empty() || id.chars().count() > MAX_ID {
            errors.add(
                &format!("roleIds[{i}]"),
                ErrorCode::InvalidFieldFormat,
                format!("must be a Logto organization role id of 1 to {MAX_ID} characters"),
            );
        } else if !valid.iter().any(|v| v == id) {
            valid.push(id.to_owned());
        }
    }
    valid
}

impl AddMember {
    pub fn validate(self) -> Result<ValidAddMember, ApiError> {
        let mut errors = FieldErrors::new();
        let email = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if email.is_some() {
            errors.email("email", email);
        }
        let logto_user_id = self
            .logto_user_id
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if let Some(id) = logto_user_id
            && id.chars().count() > MAX_ID
        {
            errors.add(
                "logtoUserId",
                ErrorCode::InvalidFieldFormat,
                format!("must be at most {MAX_ID} characters"),
            );
        }
        let invite = self.invite.unwrap_or(false);
        match (email, logto_user_id) {
            (None, None) => errors.add(
                "email",
                ErrorCode::RequiredFieldMissing,
                "give the member's email (or an existing logtoUserId)",
            ),
            (Some(_), Some(_)) => errors.add(
                "logtoUserId",
                ErrorCode::InvalidFieldFormat,
                "give either email or logtoUserId, not both",
            ),
            (None, Some(_)) if invite => errors.add(
                "invite",
                ErrorCode::InvalidFieldFormat,
                "an invitation is sent to an email address: give email",
            ),
            _ => {}
        }
        let role_ids = role_ids(&mut errors, self.role_ids);
        errors.into_result()?;
        Ok(ValidAddMember {
            email: email.map(str::to_lowercase),
            logto_user_id: logto_user_id.map(str::to_owned),
            role_ids,
            invite,
        })
    }
}

impl ReplaceRoles {
    pub fn validate(self) -> Result<Vec<String>, ApiError> {
        let mut errors = FieldErrors::new();
        if self.role_ids.is_none() {
            errors.missing("roleIds");
        }
        let ids = role_ids(&mut errors, self.role_ids);
        errors.into_result()?;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn add_needs_an_identity() {
        let err = AddMember::default().validate().unwrap_err();
        assert_eq!(fields(err), ["email"]);
    }

    #[test]
    fn add_names_bad_fields() {
        let err = AddMember {
            email: Some("not-an-email".into()),
            role_ids: Some(vec!["ok".into(), " ".into()]),
            ..AddMember::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(fields(err), ["email", "roleIds[1]"]);
    }

    #[test]
    fn add_normalises() {
        let valid = AddMember {
            email: Some(" Ann@Example.COM ".into()),
            role_ids: Some(vec!["r1".into(), "r1".into()]),
            invite: Some(true),
            ..AddMember::default()
        }
        .validate()
        .unwrap();
        assert_eq!(valid.email.as_deref(), Some("ann@example.com"));
        assert_eq!(valid.role_ids, ["r1"]);
    }

    #[test]
    fn roles_are_required_but_may_be_empty() {
        assert!(ReplaceRoles { role_ids: None }.validate().is_err());
        assert!(
            ReplaceRoles {
                role_ids: Some(vec![])
            }
            .validate()
            .unwrap()
            .is_empty()
        );
    }
}
