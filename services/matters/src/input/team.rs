//! A matter's team: `POST /api/v1/matters/{id}/members`.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::model::MEMBER_ROLES;

/// `POST /api/v1/matters/{id}/members`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMember {
    pub user_id: Option<Uuid>,
    pub role: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// A validated membership.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub user_id: Uuid,
    pub role: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl AddMember {
    pub fn validate(self, now: DateTime<Utc>) -> Result<ValidMember, ApiError> {
        let mut errors = FieldErrors::new();
        if self.user_id.is_none() {
            errors.missing("userId");
        }
        match self.role.as_deref() {
            None | Some("") => errors.missing("role"),
            Some(r) => errors.one_of("role", &r.to_ascii_uppercase(), &MEMBER_ROLES),
        }
        let starts_at = self.starts_at.unwrap_or(now);
        if let Some(end) = self.ends_at
            && end <= starts_at
        {
            errors.add(
                "endsAt",
                ErrorCode::InvalidFieldFormat,
                "must be after startsAt",
            );
        }
        errors.into_result()?;
        Ok(ValidMember {
            user_id: self.user_id.unwrap_or_default(),
            role: self.role.unwrap_or_default().to_ascii_uppercase(),
            starts_at,
            ends_at: self.ends_at,
        })
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
    fn a_member_ends_after_it_starts() {
        let now = Utc::now();
        let body: AddMember = serde_json::from_value(json!({
            "role": "JUDGE", "endsAt": now - chrono::Duration::hours(1)
        }))
        .unwrap();
        assert_eq!(
            fields(body.validate(now).unwrap_err()),
            ["userId", "role", "endsAt"]
        );
    }
}
