//! `GET /api/v1/{service}/{id}/events`: an entity's audit trail, answered by its
//! owner service after its own access check, from the events service. The owner
//! calls with its service token and names the firm; the caller's page parameters,
//! request id and trace context travel along.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, FirmId, PageParams, request_id};
use std::sync::Arc;
use std::time::Duration;

/// The owner side of entity audit trails.
#[derive(Clone)]
pub struct AuditTrail {
    events_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl AuditTrail {
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

    /// One page of `entity_type`/`entity_id`'s events in `firm`, as data (e.g. to
    /// merge into a timeline). Call it only after the caller's access check.
    pub async fn events(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: uuid::Uuid,
        page: &PageParams,
    ) -> Result<EventsPage, ApiError> {
        self.events_page(firm, entity_type, entity_id, page, false)
            .await
    }

    /// Like [`events`](Self::events), with the events filed under the entity as
    /// their context too (a matter's tasks, messages, documents, calls): its activity.
    pub async fn activity(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: uuid::Uuid,
        page: &PageParams,
    ) -> Result<EventsPage, ApiError> {
        self.events_page(firm, entity_type, entity_id, page, true)
            .await
    }

    async fn events_page(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: uuid::Uuid,
        page: &PageParams,
        related: bool,
    ) -> Result<EventsPage, ApiError> {
        let res = self
            .request(firm, entity_type, entity_id, page, related)
            .await?;
        match res.status().as_u16() {
            200 => res.json().await.map_err(ApiError::unavailable),
            other => Err(ApiError::dependency(
                other,
                format!("the events service answered {other}"),
            )),
        }
    }

    /// One page of `entity_type`/`entity_id`'s events in `firm`, as the response
    /// to return. Call it only after deciding that the caller may see the entity.
    #[tracing::instrument(skip(self, page), fields(entity_type, %entity_id))]
    pub async fn page(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: uuid::Uuid,
        page: &PageParams,
    ) -> Result<HttpResponse, ApiError> {
        let res = self
            .request(firm, entity_type, entity_id, page, false)
            .await?;
        let status = res.status().as_u16();
        let body = res.bytes().await.map_err(ApiError::unavailable)?;
        match status {
            // The caller's own mistakes (a bad cursor or limit) answer as the events service put them.
            200 | 400 | 422 => Ok(HttpResponse::build(
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            )
            .content_type("application/json")
            .body(body)),
            other => Err(ApiError::dependency(
                other,
                format!("the events service answered {other}"),
            )),
        }
    }

    async fn request(
        &self,
        firm: FirmId,
        entity_type: &str,
        entity_id: uuid::Uuid,
        page: &PageParams,
        related: bool,
    ) -> Result<reqwest::Response, ApiError> {
        let token = self.tokens.token().await?;
        let url = format!(
            "{}/api/v1/events/entities/{entity_type}/{entity_id}",
            self.events_url
        );
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(cursor) = &page.cursor {
            query.push(("cursor", cursor.clone()));
        }
        if let Some(limit) = page.limit {
            query.push(("limit", limit.to_string()));
        }
        if related {
            query.push(("related", "true".to_owned()));
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
        request.send().await.map_err(ApiError::unavailable)
    }
}

/// One page of an entity's events as the events service answers it, newest first.
#[derive(Debug, serde::Deserialize)]
pub struct EventsPage {
    pub data: Vec<serde_json::Value>,
    pub pagination: lawos_core::Pagination,
}
