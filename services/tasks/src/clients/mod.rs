//! The services tasks asks over REST, each with this service's token (or the
//! caller's, for the firm's settings) and `X-Firm-Id`:
//!
//! - matters: does the matter exist in this firm (`GET …/api/v1/matters/{id}`:
//!   200 yes, 404 is 422 naming `matterId`, anything else 503);
//! - contacts: does a contact attendee exist (`GET …/api/v1/contacts/{id}`:
//!   404 is 422 naming the attendee's `contactId`);
//! - tenants: the firm's settings (`GET …/api/v1/tenants/{firmId}`): its time
//!   zone (`settings.timeZone`, IANA, default UTC) and default reminders
//!   (`settings.appointmentReminderMinutes`, default `[1440, 15]`).

pub mod firm;

use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub use firm::{FirmSettings, FirmSettingsClient};

/// A GET to another service that answers whether something exists.
#[derive(Clone)]
pub struct Lookup {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

pub(crate) fn outgoing(
    request: reqwest::RequestBuilder,
    firm: FirmId,
    bearer: &str,
) -> reqwest::RequestBuilder {
    let mut request = request
        .bearer_auth(bearer)
        .header("x-firm-id", firm.to_string())
        .header("x-request-id", request_id::current());
    if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
        request = request.header("traceparent", traceparent);
    }
    request
}

impl Lookup {
    pub fn new(base_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            http: http_client(),
        }
    }

    /// `Ok` when `{base}{path}` answers 200 for `firm`; 422 naming `field` on 404.
    async fn require(
        &self,
        firm: FirmId,
        path: &str,
        field: &str,
        what: &str,
    ) -> Result<(), ApiError> {
        let token = self.tokens.token().await?;
        let request = self.http.get(format!("{}{path}", self.base_url));
        let res = outgoing(request, firm, &token)
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => Ok(()),
            404 => Err(FieldErrors::single(
                field,
                ErrorCode::ResourceNotFound,
                format!("no {what} in this firm"),
            )
            .into()),
            other => Err(ApiError::dependency(
                other,
                format!("{} answered {other} for {what}", self.base_url),
            )),
        }
    }

    /// The matter `matter` exists in `firm` (asked of matters).
    #[tracing::instrument(skip(self), fields(%matter))]
    pub async fn require_matter(&self, firm: FirmId, matter: Uuid) -> Result<(), ApiError> {
        let path = format!("/api/v1/matters/{matter}");
        self.require(firm, &path, "matterId", &format!("matter {matter}"))
            .await
    }

    /// The contact `contact` exists in `firm` (asked of contacts); 422 names `field`.
    #[tracing::instrument(skip(self), fields(%contact))]
    pub async fn require_contact(
        &self,
        firm: FirmId,
        contact: Uuid,
        field: &str,
    ) -> Result<(), ApiError> {
        let path = format!("/api/v1/contacts/{contact}");
        self.require(firm, &path, field, &format!("contact {contact}"))
            .await
    }
}
