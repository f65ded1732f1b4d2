//! Request bodies and queries of the MyCase administration, validated field
//! by field so a client learns every problem at once.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Credentials, GRANT_TYPES, REFRESH_TOKEN, RUN_STATUSES};

const URL_MAX: usize = 500;
const SECRET_MAX: usize = 4_000;
pub const INTERVAL_DEFAULT: i32 = 15;
pub const INTERVAL_RANGE: std::ops::RangeInclusive<i64> = 5..=1440;

/// `PUT /api/v1/matters/integrations/mycase/`: the whole connection. Secrets
/// are written, never read back; left out, the stored ones are kept.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutConnection {
    /// MyCase's REST API (https); absent or null: MyCase's own.
    pub base_url: Option<String>,
    /// MyCase's OAuth token endpoint (https); absent or null: MyCase's own.
    pub token_url: Option<String>,
    /// `CLIENT_CREDENTIALS` or `REFRESH_TOKEN`.
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    /// Required the first time; absent later: the stored one is kept.
    pub client_secret: Option<String>,
    /// With `REFRESH_TOKEN`: required until one is stored (MyCase rotates it;
    /// the sync keeps the newest).
    pub refresh_token: Option<String>,
    /// Minutes between scheduled runs, 5–1440 (default 15).
    pub interval_minutes: Option<i64>,
    /// Whether the schedule runs (default true); `POST /sync` works either way.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct ValidConnection {
    pub base_url: Option<String>,
    pub token_url: Option<String>,
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
    pub interval_minutes: i32,
    pub enabled: bool,
}

fn endpoint(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    allow_http: bool,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    let bad = |errors: &mut FieldErrors, why: &str| {
        errors.add(field, ErrorCode::InvalidFieldFormat, why.to_owned());
        None
    };
    if value.chars().count() > URL_MAX {
        return bad(errors, "must be at most 500 characters");
    }
    let Ok(url) = url::Url::parse(&value) else {
        return bad(errors, "must be an absolute URL");
    };
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    if !scheme_ok {
        return bad(errors, "must be an https URL");
    }
    if url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return bad(
            errors,
            "must name a host, without credentials, query or fragment",
        );
    }
    Some(value.trim_end_matches('/').to_owned())
}

fn secret(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    let value = value.map(|v| v.trim().to_owned())?;
    if value.is_empty() {
        errors.add(field, ErrorCode::InvalidFieldFormat, "must not be empty");
        return None;
    }
    if value.chars().count() > SECRET_MAX {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be at most 4000 characters",
        );
        return None;
    }
    Some(value)
}

impl PutConnection {
    /// The connection to store, given what is stored already (`stored`).
    pub fn validate(
        self,
        stored: Option<&Credentials>,
        allow_http: bool,
    ) -> Result<ValidConnection, ApiError> {
        let mut errors = FieldErrors::new();
        let base_url = endpoint(&mut errors, "baseUrl", self.base_url, allow_http);
        let token_url = endpoint(&mut errors, "tokenUrl", self.token_url, allow_http);
        let grant_type = self.grant_type.map(|g| g.trim().to_ascii_uppercase());
        match grant_type.as_deref() {
            None | Some("") => errors.missing("grantType"),
            Some(g) => errors.one_of("grantType", g, &GRANT_TYPES),
        }
        errors.text("clientId", self.client_id.as_deref(), 200);
        let client_secret = secret(&mut errors, "clientSecret", self.client_secret);
        let refresh_token = secret(&mut errors, "refreshToken", self.refresh_token);
        if client_secret.is_none() && !stored.is_some_and(|c| c.has_client_secret) {
            errors.missing("clientSecret");
        }
        let refresh = grant_type.as_deref() == Some(REFRESH_TOKEN);
        match (&refresh_token, refresh) {
            (None, true) if !stored.is_some_and(|c| c.has_refresh_token) => {
                errors.missing("refreshToken");
            }
            (Some(_), false) => errors.add(
                "refreshToken",
                ErrorCode::InvalidFieldFormat,
                "is only kept with grantType REFRESH_TOKEN",
            ),
            _ => {}
        }
        let interval = self.interval_minutes.unwrap_or(i64::from(INTERVAL_DEFAULT));
        if !INTERVAL_RANGE.contains(&interval) {
            errors.add(
                "intervalMinutes",
                ErrorCode::InvalidFieldFormat,
                "must be between 5 and 1440",
            );
        }
        errors.into_result()?;
        Ok(ValidConnection {
            base_url,
            token_url,
            grant_type: grant_type.unwrap_or_default(),
            client_id: self.client_id.unwrap_or_default().trim().to_owned(),
            client_secret,
            refresh_token,
            interval_minutes: i32::try_from(interval).unwrap_or(INTERVAL_DEFAULT),
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// `GET /api/v1/matters/integrations/mycase/runs`: newest first.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    /// `RUNNING`, `SUCCEEDED`, `PARTIAL` or `FAILED`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

/// Where a page of runs continues: after this run.
pub type RunPosition = (DateTime<Utc>, Uuid);

#[derive(Debug, Clone)]
pub struct ValidRunsQuery {
    pub status: Option<String>,
    pub after: Option<RunPosition>,
    pub limit: i64,
}

impl RunsQuery {
    pub fn validate(self, cursors: &CursorCodec) -> Result<ValidRunsQuery, ApiError> {
        let mut errors = FieldErrors::new();
        let status = self
            .status
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty());
        if let Some(s) = &status {
            errors.one_of("status", s, &RUN_STATUSES);
        }
        let page = lawos_core::PageParams {
            cursor: self.cursor,
            limit: self.limit,
        };
        let limit = page.limit().unwrap_or_else(|_| {
            errors.add(
                "limit",
                ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            );
            0
        });
        errors.into_result()?;
        let after = page
            .cursor
            .as_deref()
            .map(|c| cursors.decode(c))
            .transpose()?;
        Ok(ValidRunsQuery {
            status,
            after,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(e: ApiError) -> Vec<String> {
        e.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn names_every_bad_field() {
        let body = PutConnection {
            base_url: Some("http://mycase.example".into()),
            token_url: Some("https://user:pw@auth.example/tokens".into()),
            grant_type: Some("password".into()),
            interval_minutes: Some(1),
            ..PutConnection::default()
        };
        let got = fields(body.validate(None, false).unwrap_err());
        assert_eq!(
            got,
            [
                "baseUrl",
                "tokenUrl",
                "grantType",
                "clientId",
                "clientSecret",
                "intervalMinutes"
            ]
        );
    }

    #[test]
    fn a_refresh_token_is_required_until_one_is_stored() {
        let body = || PutConnection {
            grant_type: Some("refresh_token".into()),
            client_id: Some("client-1".into()),
            client_secret: Some("secret".into()),
            ..PutConnection::default()
        };
        assert_eq!(
            fields(body().validate(None, false).unwrap_err()),
            ["refreshToken"]
        );
        let stored = Credentials {
            connection_id: Uuid::now_v7(),
            firm_id: Uuid::now_v7(),
            ciphertext: vec![],
            key_id: "k1".into(),
            has_client_secret: true,
            has_refresh_token: true,
            updated_at: Utc::now(),
        };
        let valid = body().validate(Some(&stored), false).unwrap();
        assert_eq!(valid.grant_type, REFRESH_TOKEN);
        assert_eq!(valid.interval_minutes, 15);
        assert!(valid.enabled);
    }
}
