//! The parent a document is filed under must exist in the firm: a matter is
//! asked of the matters service (`GET {LAWOS_MATTERS_URL}/api/v1/matters/{id}`),
//! a client of the contacts service (`GET {LAWOS_CONTACTS_URL}/api/v1/contacts/clients/{id}`),
//! each with this service's token and `X-Firm-Id`. 404 there is 422 naming
//! `resourceId` here; anything else (down, failing) is 503.

use std::sync::Arc;
use std::time::Duration;

use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use uuid::Uuid;

#[derive(Clone)]
pub struct Parents {
    matters_url: String,
    contacts_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl Parents {
    pub fn new(matters_url: &str, contacts_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            matters_url: matters_url.trim_end_matches('/').to_owned(),
            contacts_url: contacts_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// `Ok` when the parent exists (GENERAL has none), else 422 or 503.
    #[tracing::instrument(skip(self))]
    pub async fn require(
        &self,
        firm: FirmId,
        resource_type: &str,
        resource_id: Option<Uuid>,
    ) -> Result<(), ApiError> {
        let (url, what) = match (resource_type, resource_id) {
            ("MATTER", Some(id)) => (
                format!("{}/api/v1/matters/{id}", self.matters_url),
                "matter",
            ),
            ("CLIENT", Some(id)) => (
                format!("{}/api/v1/contacts/clients/{id}", self.contacts_url),
                "client",
            ),
            _ => return Ok(()),
        };
        let token = self.tokens.token().await?;
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
        match res.status().as_u16() {
            200 => Ok(()),
            404 => Err(FieldErrors::single(
                "resourceId",
                ErrorCode::ResourceNotFound,
                format!("no {what} {} in this firm", resource_id.unwrap_or_default()),
            )
            .into()),
            other => Err(ApiError::dependency(
                other,
                format!("the {what}s service answered {other}"),
            )),
        }
    }
}
