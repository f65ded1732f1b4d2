//! An entity's audit events as data (for the timeline), from the events service
//! with this service's token and `X-Firm-Id`, as `lawos_http::audit::AuditTrail`
//! does for `/{id}/events`. Call it only after the caller's access check.

use chrono::{DateTime, Utc};
use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, FirmId, request_id};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct EventsClient {
    events_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

/// One page of events, newest first.
#[derive(Debug, Deserialize)]
pub struct EventsPage {
    pub data: Vec<Value>,
    pub pagination: lawos_core::Pagination,
}

/// When an event item (events service JSON) occurred.
pub fn occurred_at(event: &Value) -> Option<DateTime<Utc>> {
    event["occurredAt"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl EventsClient {
    pub fn new(events_url: &str, tokens: Arc<dyn ServiceTokenSource>) -> Self {
        Self {
            events_url: events_url.trim_end_matches('/').to_owned(),
            tokens,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    #[tracing::instrument(skip(self, cursor), fields(%entity_id))]
    pub async fn page(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: Uuid,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<EventsPage, ApiError> {
        let token = self.tokens.token().await?;
        let url = format!(
            "{}/api/v1/events/entities/{entity_type}/{entity_id}",
            self.events_url
        );
        let mut query = vec![("limit", limit.to_string())];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let mut request = self
            .http
            .get(url)
            .query(&query)
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        let res = request.send().await.map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => res.json().await.map_err(ApiError::unavailable),
            other => Err(ApiError::unavailable(format!(
                "the events service answered {other}"
            ))),
        }
    }
}
