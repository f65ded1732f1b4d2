//! The rbac capabilities endpoint, called with this service's token.

use std::sync::Arc;
use std::time::Duration;

use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, request_id};

use crate::capabilities::CapabilitiesDoc;

#[derive(Clone)]
pub(crate) struct RbacClient {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl RbacClient {
    pub(crate) fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    #[tracing::instrument(skip(self))]
    pub(crate) async fn capabilities(
        &self,
        firm: uuid::Uuid,
        user: uuid::Uuid,
    ) -> Result<CapabilitiesDoc, ApiError> {
        let token = self.tokens.token().await?;
        let url = format!(
            "{}/api/v1/rbac/firms/{firm}/users/{user}/capabilities",
            self.base_url
        );
        let mut request = self
            .http
            .get(url)
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        let res = request.send().await.map_err(ApiError::unavailable)?;
        if !res.status().is_success() {
            return Err(ApiError::unavailable(format!(
                "the rbac service answered {} for capabilities",
                res.status()
            )));
        }
        res.json().await.map_err(ApiError::unavailable)
    }
}
