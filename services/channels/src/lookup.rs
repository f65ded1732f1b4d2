//! Whether something exists at another service: the matter a channel is about
//! (`GET {LAWOS_MATTERS_URL}/api/v1/matters/{id}`), a contact
//! (`GET {LAWOS_CONTACTS_URL}/api/v1/contacts/{id}`). Asked with this
//! service's token and `X-Firm-Id`: 200 exists, 404 does not (a 422 naming the
//! field that named it), anything else, or no answer, is 503.

use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct Lookup {
    base_url: String,
    /// What is looked up, for messages (`matter`, `contact`).
    what: &'static str,
    /// Its path under the base URL, before the id.
    prefix: &'static str,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl Lookup {
    fn new(
        base_url: &str,
        what: &'static str,
        prefix: &'static str,
        tokens: Arc<dyn ServiceTokenSource>,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            what,
            prefix,
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// Matters at the matters service.
    pub fn matters(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self::new(base_url, "matter", "/api/v1/matters/", tokens)
    }

    /// Contacts at the contacts service.
    pub fn contacts(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self::new(base_url, "contact", "/api/v1/contacts/", tokens)
    }

    /// `id` in `firm` as the owner answers it, if it exists.
    #[tracing::instrument(skip(self), fields(what = self.what))]
    pub async fn fetch(&self, firm: FirmId, id: Uuid) -> Result<Option<Value>, ApiError> {
        let token = self.tokens.token().await?;
        let mut request = self
            .http
            .get(format!("{}{}{id}", self.base_url, self.prefix))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        let res = request.send().await.map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => Ok(Some(res.json().await.map_err(ApiError::unavailable)?)),
            404 => Ok(None),
            other => Err(ApiError::dependency(
                other,
                format!("the {} lookup answered {other}", self.what),
            )),
        }
    }

    /// `id` in `firm`; 422 naming `field` when it does not exist.
    pub async fn require(&self, firm: FirmId, id: Uuid, field: &str) -> Result<Value, ApiError> {
        self.fetch(firm, id).await?.ok_or_else(|| {
            FieldErrors::single(
                field,
                ErrorCode::ResourceNotFound,
                format!("no {} {id} in this firm", self.what),
            )
            .into()
        })
    }
}
