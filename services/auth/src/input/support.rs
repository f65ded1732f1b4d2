//! Bodies of the support-access endpoints.

use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

/// The default session length and the longest one (Backstage §2.2.6).
pub const DEFAULT_MINUTES: i64 = 60;
pub const MAX_MINUTES: i64 = 480;
/// The longest lock.
pub const MAX_LOCK_SECONDS: i64 = 3600;

/// `POST /support-access/sessions`; the token exchange fills it from its form.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartSession {
    pub target_user_id: Option<String>,
    pub firm_id: Option<String>,
    pub reason: Option<String>,
    pub duration_minutes: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidStart {
    pub target_user_id: Uuid,
    pub firm_id: Uuid,
    pub reason: String,
    pub minutes: i64,
}

fn uuid(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Uuid {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => errors.missing(field),
        Some(v) => match v.parse() {
            Ok(id) => return id,
            Err(_) => errors.add(field, ErrorCode::InvalidFieldFormat, "must be a uuid"),
        },
    }
    Uuid::nil()
}

impl StartSession {
    pub fn validate(&self) -> Result<ValidStart, FieldErrors> {
        let mut errors = FieldErrors::new();
        let target_user_id = uuid(&mut errors, "targetUserId", self.target_user_id.as_deref());
        let firm_id = uuid(&mut errors, "firmId", self.firm_id.as_deref());
        let reason = self.reason.as_deref().map(str::trim).unwrap_or_default();
        match reason.chars().count() {
            0 => errors.missing("reason"),
            1..10 => errors.add(
                "reason",
                ErrorCode::InvalidFieldFormat,
                "must be at least 10 characters",
            ),
            501.. => errors.add(
                "reason",
                ErrorCode::InvalidFieldFormat,
                "must be at most 500 characters",
            ),
            _ => {}
        }
        let minutes = self.duration_minutes.unwrap_or(DEFAULT_MINUTES);
        if !(1..=MAX_MINUTES).contains(&minutes) {
            errors.add(
                "durationMinutes",
                ErrorCode::InvalidFieldFormat,
                format!("must be between 1 and {MAX_MINUTES}"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidStart {
            target_user_id,
            firm_id,
            reason: reason.to_owned(),
            minutes,
        })
    }
}

/// `POST /support-access/locks`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcquireLock {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ttl_seconds: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidLock {
    pub resource_type: String,
    pub resource_id: String,
    pub ttl_seconds: i64,
}

/// Resource types and ids are short tokens (`matter`, a uuid, a number).
fn is_token(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl AcquireLock {
    pub fn validate(&self) -> Result<ValidLock, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut token = |field: &str, value: Option<&str>| {
            let v = value.map(str::trim).unwrap_or_default();
            if v.is_empty() {
                errors.missing(field);
            } else if !is_token(v) {
                errors.add(
                    field,
                    ErrorCode::InvalidFieldFormat,
                    "must be 1 to 100 letters, digits, '-', '_' or '.'",
                );
            }
            v.to_owned()
        };
        let resource_type = token("resourceType", self.resource_type.as_deref());
        let resource_id = token("resourceId", self.resource_id.as_deref());
        let ttl_seconds = self.ttl_seconds.unwrap_or(300);
        if !(1..=MAX_LOCK_SECONDS).contains(&ttl_seconds) {
            errors.add(
                "ttlSeconds",
                ErrorCode::InvalidFieldFormat,
                format!("must be between 1 and {MAX_LOCK_SECONDS}"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidLock {
            resource_type,
            resource_id,
            ttl_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_bad_field() {
        let bad = StartSession {
            target_user_id: Some("x".into()),
            duration_minutes: Some(481),
            ..StartSession::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .fields()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            fields,
            ["targetUserId", "firmId", "reason", "durationMinutes"]
        );
        let ok = StartSession {
            target_user_id: Some(Uuid::now_v7().to_string()),
            firm_id: Some(Uuid::now_v7().to_string()),
            reason: Some("  ticket 4711: cannot open matter  ".into()),
            duration_minutes: None,
        };
        let valid = ok.validate().unwrap();
        assert_eq!(valid.minutes, 60);
        assert_eq!(valid.reason, "ticket 4711: cannot open matter");
        let lock = AcquireLock {
            resource_type: Some("matter".into()),
            resource_id: Some("a b".into()),
            ttl_seconds: Some(3601),
        };
        let fields: Vec<String> = lock
            .validate()
            .unwrap_err()
            .fields()
            .map(str::to_owned)
            .collect();
        assert_eq!(fields, ["resourceId", "ttlSeconds"]);
    }
}
