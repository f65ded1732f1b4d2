//! The calls provisioning makes to the rbac service, with this service's token
//! and the firm in `X-Firm-Id`: assign a role (`POST /api/v1/rbac/assignments`)
//! and, as a compensation, revoke it (`DELETE /api/v1/rbac/assignments/{id}`).
//! Any failure answers 503 `SERVICE_UNAVAILABLE` naming the step.

use std::sync::Arc;
use std::time::Duration;

use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, ErrorCode, request_id};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Clone)]
pub struct RbacClient {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Created {
    id: Uuid,
}

/// 503 for a failed step of provisioning; nothing of it is kept.
pub fn step_failed(step: &str, cause: impl std::fmt::Display) -> ApiError {
    tracing::warn!(step, error = %cause, "provisioning step failed");
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        format!("Provisioning failed at {step}; nothing was kept, try again later"),
    )
    .with_details(json!({ "step": step, "service": "rbac" }))
}

impl RbacClient {
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

    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        firm: Uuid,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let token = self.tokens.token().await?;
        let mut request = self
            .http
            .request(method, format!("{}/api/v1/rbac{path}", self.base_url))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        Ok(request)
    }

    /// Assigns `role` to `user` in `firm`; the assignment's id.
    pub async fn assign(&self, firm: Uuid, user: Uuid, role: &str) -> Result<Uuid, ApiError> {
        const STEP: &str = "roleAssignment";
        let res = self
            .request(reqwest::Method::POST, "/assignments", firm)
            .await
            .map_err(|e| step_failed(STEP, e))?
            .json(&json!({ "userId": user, "role": role }))
            .send()
            .await
            .map_err(|e| step_failed(STEP, e))?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            return Err(step_failed(STEP, format!("rbac answered {status}: {body}")));
        }
        let created: Created = res.json().await.map_err(|e| step_failed(STEP, e))?;
        Ok(created.id)
    }

    /// Revokes an assignment made by [`assign`](Self::assign).
    pub async fn revoke(&self, firm: Uuid, assignment: Uuid) -> Result<(), ApiError> {
        const STEP: &str = "roleAssignmentRevocation";
        let res = self
            .request(
                reqwest::Method::DELETE,
                &format!("/assignments/{assignment}"),
                firm,
            )
            .await?
            .send()
            .await
            .map_err(|e| step_failed(STEP, e))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(step_failed(STEP, format!("rbac answered {}", res.status())))
        }
    }
}
