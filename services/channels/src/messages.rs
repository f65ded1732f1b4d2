//! A channel's thread lives at the messages service, its owner: channels checks
//! access to the channel, then forwards the caller's own request there, with
//! the caller's `Authorization` (the messages service decides as that caller,
//! never as this service), `X-Firm-Id`, `X-Request-Id` and `traceparent`:
//!
//! - `GET {LAWOS_MESSAGES_URL}/api/v1/messages/?channel_id=&cursor=&limit=`
//! - `POST {LAWOS_MESSAGES_URL}/api/v1/messages/` with `{channelId, body, attachments}`
//!
//! Its answers come back as they are (2xx, and the caller's own 4xx mistakes);
//! anything else, an answer that is not JSON, or no answer, is 503
//! `SERVICE_UNAVAILABLE`.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use lawos_core::{ApiError, PageParams, request_id};
use lawos_tenancy::extract::X_FIRM_ID;
use std::time::Duration;
use uuid::Uuid;

use crate::input::Outgoing;

/// The statuses of the messages service that answer the caller unchanged.
const PASSED: [u16; 10] = [200, 201, 400, 403, 404, 409, 413, 415, 422, 429];
/// Response headers that travel back with them.
const KEPT: [&str; 6] = [
    "etag",
    "location",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

#[derive(Clone)]
pub struct MessagesClient {
    base_url: String,
    http: reqwest::Client,
}

impl MessagesClient {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// A request carrying the caller's identity and trace.
    fn forward(&self, method: reqwest::Method, req: &HttpRequest) -> reqwest::RequestBuilder {
        let url = format!("{}/api/v1/messages/", self.base_url);
        let mut out = self
            .http
            .request(method, url)
            .header("x-request-id", request_id::current());
        let copy: [HeaderName; 2] = [AUTHORIZATION, X_FIRM_ID];
        for name in copy {
            if let Some(value) = req.headers().get(&name) {
                out = out.header(name.as_str(), value.as_bytes());
            }
        }
        let traceparent = req
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(lawos_telemetry::traceparent_from_current_span);
        if let Some(traceparent) = traceparent {
            out = out.header("traceparent", traceparent);
        }
        out
    }

    /// The channel's messages, newest first, as the messages service pages them.
    #[tracing::instrument(skip_all, fields(%channel))]
    pub async fn thread(
        &self,
        req: &HttpRequest,
        channel: Uuid,
        page: &PageParams,
    ) -> Result<HttpResponse, ApiError> {
        let mut query = vec![("channel_id", channel.to_string())];
        if let Some(cursor) = &page.cursor {
            query.push(("cursor", cursor.clone()));
        }
        if let Some(limit) = page.limit {
            query.push(("limit", limit.to_string()));
        }
        let res = self.forward(reqwest::Method::GET, req).query(&query).send();
        answer(res.await).await
    }

    /// Writes a message into the channel as the caller.
    #[tracing::instrument(skip_all, fields(channel = %message.channel_id))]
    pub async fn send(
        &self,
        req: &HttpRequest,
        message: &Outgoing,
    ) -> Result<HttpResponse, ApiError> {
        let res = self
            .forward(reqwest::Method::POST, req)
            .json(message)
            .send();
        answer(res.await).await
    }
}

/// The messages service's answer as this service's, or 503.
async fn answer(res: Result<reqwest::Response, reqwest::Error>) -> Result<HttpResponse, ApiError> {
    let res = res.map_err(ApiError::unavailable)?;
    let status = res.status().as_u16();
    if !PASSED.contains(&status) {
        return Err(ApiError::unavailable(format!(
            "the messages service answered {status}"
        )));
    }
    let mut out = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    for name in KEPT {
        if let Some(value) = res.headers().get(name)
            && let Ok(value) = HeaderValue::from_bytes(value.as_bytes())
        {
            out.insert_header((name, value));
        }
    }
    let body = res.bytes().await.map_err(ApiError::unavailable)?;
    if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        return Err(ApiError::unavailable(format!(
            "the messages service answered {status} without JSON"
        )));
    }
    Ok(out.content_type("application/json").body(body))
}
