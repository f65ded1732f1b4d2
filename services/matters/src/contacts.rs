//! The contacts service, asked over REST whether a client exists
//! (`GET {LAWOS_CONTACTS_URL}/api/v1/contacts/clients/{id}` with this service's
//! token and `X-Firm-Id`): 200 exists, 404 is 422 naming `clientId`, anything
//! else (contacts down or failing) is 503.

use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct ContactsClient {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl ContactsClient {
    pub fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// `Ok` when `client` is a client of `firm`; 422 naming `clientId` when not.
    #[tracing::instrument(skip(self), fields(%client))]
    pub async fn require_client(&self, firm: FirmId, client: Uuid) -> Result<(), ApiError> {
        let token = self.tokens.token().await?;
        let url = format!("{}/api/v1/contacts/clients/{client}", self.base_url);
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
                "clientId",
                ErrorCode::ResourceNotFound,
                format!("no client {client} in this firm"),
            )
            .into()),
            other => Err(ApiError::unavailable(format!(
                "the contacts service answered {other}"
            ))),
        }
    }
}
