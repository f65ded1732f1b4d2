//! Clients at the contacts service, as the sync writes them: through its
//! REST API (`{LAWOS_CONTACTS_URL}/api/v1/contacts/clients/…` with this
//! service's token and `X-Firm-Id`), never its tables. A create carries an
//! `Idempotency-Key` derived from the external reference, so a create retried
//! after a lost answer makes no second client; a change carries the `ETag`
//! it was decided on (`If-Match`), so a LawOS edit in between is not
//! overwritten.
//!
//! Errors: 422 is `VALIDATION_ERROR` (with contacts' details: the record
//! fails, the run goes on), 404 `RESOURCE_NOT_FOUND` (deleted in LawOS), 412
//! `PRECONDITION_FAILED`; anything else is 503 and stops the run.

use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, ErrorCode, FirmId};
use reqwest::header::{ETAG, IF_MATCH};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct ClientsApi {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

/// A client as contacts answers it, with its `ETag`.
#[derive(Debug, Clone)]
pub struct StoredClient {
    pub id: Uuid,
    pub etag: Option<String>,
    pub body: Value,
}

/// 503 saying what failed (for the run's log; the cause is logged).
fn down(what: &str, cause: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %cause, "{what}");
    ApiError::new(ErrorCode::ServiceUnavailable, what.to_owned())
}

async fn stored(res: reqwest::Response) -> Result<StoredClient, ApiError> {
    let etag = res
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = res
        .json()
        .await
        .map_err(|e| down("contacts answered no JSON", e))?;
    let id = body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ServiceUnavailable,
                "contacts answered a client without an id",
            )
        })?;
    Ok(StoredClient { id, etag, body })
}

async fn refused(res: reqwest::Response, what: &str) -> ApiError {
    let status = res.status().as_u16();
    match status {
        422 => {
            let body: Value = res.json().await.unwrap_or(Value::Null);
            ApiError::new(
                ErrorCode::ValidationError,
                format!(
                    "contacts refused the client: {}",
                    body["error"]["message"].as_str().unwrap_or("invalid")
                ),
            )
            .with_details(body["error"]["details"].clone())
        }
        404 => ApiError::new(ErrorCode::ResourceNotFound, "the client is not at contacts"),
        412 => ApiError::new(
            ErrorCode::PreconditionFailed,
            "the client changed meanwhile",
        ),
        other => ApiError::new(
            ErrorCode::ServiceUnavailable,
            format!("contacts answered {other} to {what}"),
        ),
    }
}

impl ClientsApi {
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
        firm: FirmId,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let token = self.tokens.token().await?;
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", lawos_core::request_id::current());
        if let Some(tp) = lawos_telemetry::traceparent_from_current_span() {
            r = r.header("traceparent", tp);
        }
        Ok(r)
    }

    /// `POST /api/v1/contacts/clients/` with `body`, once per `key`.
    pub async fn create(
        &self,
        firm: FirmId,
        body: &Value,
        key: &str,
    ) -> Result<StoredClient, ApiError> {
        let res = self
            .request(reqwest::Method::POST, "/api/v1/contacts/clients/", firm)
            .await?
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .map_err(|e| down("contacts could not be reached", e))?;
        match res.status().as_u16() {
            200 | 201 => stored(res).await,
            _ => Err(refused(res, "a client create").await),
        }
    }

    /// The client `id`; `None` when contacts has none (deleted in LawOS).
    pub async fn get(&self, firm: FirmId, id: Uuid) -> Result<Option<StoredClient>, ApiError> {
        let res = self
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/contacts/clients/{id}"),
                firm,
            )
            .await?
            .send()
            .await
            .map_err(|e| down("contacts could not be reached", e))?;
        match res.status().as_u16() {
            200 => stored(res).await.map(Some),
            404 => Ok(None),
            _ => Err(refused(res, "a client read").await),
        }
    }

    /// `PATCH /api/v1/contacts/clients/{id}` with `body`, if it is still at `etag`.
    pub async fn patch(
        &self,
        firm: FirmId,
        id: Uuid,
        etag: Option<&str>,
        body: &Value,
    ) -> Result<StoredClient, ApiError> {
        let mut r = self
            .request(
                reqwest::Method::PATCH,
                &format!("/api/v1/contacts/clients/{id}"),
                firm,
            )
            .await?
            .json(body);
        if let Some(etag) = etag {
            r = r.header(IF_MATCH, etag);
        }
        let res = r
            .send()
            .await
            .map_err(|e| down("contacts could not be reached", e))?;
        match res.status().as_u16() {
            200 => stored(res).await,
            _ => Err(refused(res, "a client change").await),
        }
    }
}
