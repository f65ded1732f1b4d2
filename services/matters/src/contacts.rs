//! The contacts service, asked over REST (this service's token and `X-Firm-Id`)
//! whether a client exists (`GET {LAWOS_CONTACTS_URL}/api/v1/contacts/clients/{id}`:
//! 200 exists, 404 is 422 naming `clientId`), whether a party's contact exists
//! (`GET …/api/v1/contacts/{id}`: 404 is 422 naming `contactId`), and to run the
//! conflict check for an opposing party (`POST …/api/v1/contacts/conflict-check`).
//! Anything else (contacts down or failing) is 503.

use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use serde_json::{Value, json};
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

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        firm: FirmId,
        token: String,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        request
    }

    /// The contact `contact` of `firm`; 422 naming `contactId` when there is none.
    #[tracing::instrument(skip(self), fields(%contact))]
    pub async fn contact(&self, firm: FirmId, contact: Uuid) -> Result<Value, ApiError> {
        let token = self.tokens.token().await?;
        let path = format!("/api/v1/contacts/{contact}");
        let res = self
            .request(reqwest::Method::GET, &path, firm, token)
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => res.json().await.map_err(ApiError::unavailable),
            404 => Err(FieldErrors::single(
                "contactId",
                ErrorCode::ResourceNotFound,
                format!("no contact {contact} in this firm"),
            )
            .into()),
            other => Err(ApiError::dependency(
                other,
                format!("the contacts service answered {other}"),
            )),
        }
    }

    /// The conflict check's findings for `contact` (a contact as `GET` answers
    /// it): its display name, e-mails, phones and, for an organisation, its name
    /// as the company.
    #[tracing::instrument(skip_all)]
    pub async fn conflict_check(&self, firm: FirmId, contact: &Value) -> Result<Value, ApiError> {
        let strings = |list: &Value, key: &str| -> Vec<String> {
            list.as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i[key].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let names: Vec<String> = contact["displayName"]
            .as_str()
            .filter(|n| n.trim().chars().count() >= 2)
            .map(|n| vec![n.to_owned()])
            .unwrap_or_default();
        let mut body = json!({
            "names": names,
            "emails": strings(&contact["emails"], "address"),
            "phones": strings(&contact["phones"], "number"),
        });
        if let Some(company) = contact["organizationName"]
            .as_str()
            .filter(|_| contact["kind"] == "ORGANIZATION")
        {
            body["company"] = json!(company);
        }
        let token = self.tokens.token().await?;
        let res = self
            .request(
                reqwest::Method::POST,
                "/api/v1/contacts/conflict-check",
                firm,
                token,
            )
            .json(&body)
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => res.json().await.map_err(ApiError::unavailable),
            other => Err(ApiError::dependency(
                other,
                format!("the contacts conflict check answered {other}"),
            )),
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
            other => Err(ApiError::dependency(
                other,
                format!("the contacts service answered {other}"),
            )),
        }
    }
}
