//! The firm's members, from the auth service's directory
//! (`GET {LAWOS_AUTH_URL}/api/v1/auth/members?q=` with this service's token
//! and `X-Firm-Id`): the member a MyCase staff member's e-mail names.

use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, ErrorCode, FirmId};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// 503 saying what failed (for the run's log; the cause is logged).
fn down(what: &str, cause: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %cause, "{what}");
    ApiError::new(ErrorCode::ServiceUnavailable, what.to_owned())
}

#[derive(Clone)]
pub struct Directory {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl Directory {
    pub fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// The active member of `firm` whose e-mail is `email` (case-insensitive).
    #[tracing::instrument(skip(self, email))]
    pub async fn member_by_email(
        &self,
        firm: FirmId,
        email: &str,
    ) -> Result<Option<Uuid>, ApiError> {
        let token = self.tokens.token().await?;
        let res = self
            .http
            .get(format!("{}/api/v1/auth/members", self.base_url))
            .query(&[("q", email), ("limit", "100")])
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", lawos_core::request_id::current())
            .send()
            .await
            .map_err(|e| down("the auth directory could not be reached", e))?;
        if res.status().as_u16() != 200 {
            return Err(ApiError::new(
                ErrorCode::ServiceUnavailable,
                format!("the auth directory answered {}", res.status().as_u16()),
            ));
        }
        let page: Value = res
            .json()
            .await
            .map_err(|e| down("the auth directory answered no JSON", e))?;
        Ok(page["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| {
                m["email"]
                    .as_str()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
            })
            .and_then(|m| m["id"].as_str())
            .and_then(|id| id.parse().ok()))
    }
}
