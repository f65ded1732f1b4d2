//! Query strings of the SSO login and callback.

use std::collections::HashMap;

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::sso::error::{self, SsoError};

/// `GET /api/v1/auth/sso/{provider}/login?firm_id=`: the firm to sign in to,
/// for users of several firms (a provider bound to a firm ignores no other).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginQuery {
    pub firm_id: Option<String>,
}

impl LoginQuery {
    pub fn validate(self) -> Result<Option<Uuid>, ApiError> {
        match self
            .firm_id
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            None => Ok(None),
            Some(firm) => firm.parse::<Uuid>().map(Some).map_err(|_| {
                FieldErrors::single("firm_id", ErrorCode::InvalidFieldFormat, "must be a uuid")
                    .into()
            }),
        }
    }
}

/// What the identity provider sent the browser back with (RFC 6749 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code {
        code: String,
        state: String,
        /// RFC 9207: the issuer of the response, when the provider sends it.
        iss: Option<String>,
    },
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

impl Callback {
    /// Other parameters (`session_state`, `scope`, …) are ignored: providers add their own.
    pub fn parse(params: &HashMap<String, String>) -> Result<Self, SsoError> {
        let get = |name: &str| {
            params
                .get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(error) = get("error") {
            return Ok(Self::Error {
                error: error.chars().take(100).collect(),
                description: get("error_description").map(|d| d.chars().take(500).collect()),
                state: get("state"),
            });
        }
        let state = get("state").ok_or_else(error::state_invalid)?;
        let code = get("code").ok_or_else(|| {
            SsoError::from(FieldErrors::single(
                "code",
                ErrorCode::RequiredFieldMissing,
                "is required",
            ))
        })?;
        Ok(Self::Code {
            code,
            state,
            iss: get("iss"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_codes_errors_and_refuses_a_missing_state() {
        assert_eq!(
            Callback::parse(&params(&[("code", "c"), ("state", "s"), ("scope", "x")])).unwrap(),
            Callback::Code {
                code: "c".into(),
                state: "s".into(),
                iss: None
            }
        );
        assert!(matches!(
            Callback::parse(&params(&[("error", "access_denied"), ("state", "s")])).unwrap(),
            Callback::Error { error, .. } if error == "access_denied"
        ));
        assert_eq!(
            Callback::parse(&params(&[("code", "c")])).unwrap_err().code,
            ErrorCode::SsoStateInvalid
        );
        assert_eq!(
            LoginQuery {
                firm_id: Some("acme".into())
            }
            .validate()
            .unwrap_err()
            .code,
            ErrorCode::ValidationError
        );
    }
}
