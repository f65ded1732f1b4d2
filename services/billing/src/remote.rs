//! The services billing asks over REST, with its service token and `X-Firm-Id`:
//!
//! - matters: `GET {LAWOS_MATTERS_URL}/api/v1/matters/{id}` (a matter exists in
//!   the firm: its client, number, title and stage) and `…/{id}/members` (its
//!   lead attorney, who approves its time);
//! - contacts: `GET {LAWOS_CONTACTS_URL}/api/v1/contacts/clients/{id}` (a client
//!   exists, and its name for the invoice).
//!
//! A 404 there is 422 naming the body field that pointed at it; anything else
//! (the service down or failing) is 503.

use chrono::{DateTime, Utc};
use lawos_auth::ServiceTokenSource;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, request_id};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct Remote {
    matters_url: String,
    contacts_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

/// What billing needs of a matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatterInfo {
    pub id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub stage: String,
    pub client_id: Option<Uuid>,
}

impl MatterInfo {
    pub fn is_closed(&self) -> bool {
        matches!(self.stage.as_str(), "CLOSED" | "ARCHIVED")
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberRow {
    user_id: Uuid,
    role: String,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct MembersPage {
    data: Vec<MemberRow>,
}

impl Remote {
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

    /// `GET url` for `firm`: `Some(body)` on 200, `None` on 404, 503 otherwise.
    async fn get(&self, url: String, firm: FirmId) -> Result<Option<Value>, ApiError> {
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
            200 => Ok(Some(res.json().await.map_err(ApiError::unavailable)?)),
            404 => Ok(None),
            other => Err(ApiError::dependency(
                other,
                format!("{} answered {other}", res.url()),
            )),
        }
    }

    /// The matter `id` of `firm`; 422 naming `field` when matters has none.
    #[tracing::instrument(skip(self), fields(%id))]
    pub async fn matter(
        &self,
        firm: FirmId,
        id: Uuid,
        field: &str,
    ) -> Result<MatterInfo, ApiError> {
        let url = format!("{}/api/v1/matters/{id}", self.matters_url);
        match self.get(url, firm).await? {
            Some(body) => serde_json::from_value(body).map_err(ApiError::unavailable),
            None => Err(FieldErrors::single(
                field,
                ErrorCode::ResourceNotFound,
                format!("no matter {id} in this firm"),
            )
            .into()),
        }
    }

    /// Whether `user` is an active LEAD_ATTORNEY member of matter `id`.
    #[tracing::instrument(skip(self), fields(%id, %user))]
    pub async fn leads(&self, firm: FirmId, id: Uuid, user: Uuid) -> Result<bool, ApiError> {
        let url = format!("{}/api/v1/matters/{id}/members?limit=100", self.matters_url);
        let Some(body) = self.get(url, firm).await? else {
            return Ok(false);
        };
        let page: MembersPage = serde_json::from_value(body).map_err(ApiError::unavailable)?;
        let now = Utc::now();
        Ok(page.data.iter().any(|m| {
            m.user_id == user
                && m.role == "LEAD_ATTORNEY"
                && m.starts_at <= now
                && m.ends_at.is_none_or(|end| end > now)
        }))
    }

    /// The client `id` of `firm` (its JSON); 422 naming `field` when contacts has none.
    #[tracing::instrument(skip(self), fields(%id))]
    pub async fn client(&self, firm: FirmId, id: Uuid, field: &str) -> Result<Value, ApiError> {
        let url = format!("{}/api/v1/contacts/clients/{id}", self.contacts_url);
        self.get(url, firm).await?.ok_or_else(|| {
            FieldErrors::single(
                field,
                ErrorCode::ResourceNotFound,
                format!("no client {id} in this firm"),
            )
            .into()
        })
    }
}
