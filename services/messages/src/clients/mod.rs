//! The services messages asks over REST. Every call carries the request id and
//! the trace context; it speaks either for the caller (their own
//! `Authorization`, and `X-Firm-Id` when they sent one: the owner decides what
//! they may see) or for this service (its service token and `X-Firm-Id`: after
//! this service's own checks). An answer other than the ones a client names is
//! 503: the owner is down or failing, nothing is decided on a guess.

pub mod channels;
pub mod contacts;
pub mod members;
pub mod parents;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest};
use lawos_auth::ServiceTokenSource;
use lawos_core::{ApiError, FirmId, request_id};
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::time::Duration;

/// The caller's own credentials, to be forwarded.
#[derive(Debug, Clone)]
pub struct CallerAuth {
    pub authorization: String,
    pub firm_header: Option<String>,
}

impl FromRequest for CallerAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    /// Only reached after the `Tenant` extractor accepted the token.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        ready(Ok(Self {
            authorization: header(AUTHORIZATION).unwrap_or_default(),
            firm_header: header(lawos_tenancy::extract::X_FIRM_ID),
        }))
    }
}

/// Who a call speaks for.
pub enum As<'a> {
    Caller(&'a CallerAuth),
    Service(FirmId),
}

/// One base URL and the means to call it.
#[derive(Clone)]
pub struct Upstream {
    base_url: String,
    tokens: Arc<dyn ServiceTokenSource>,
    http: reqwest::Client,
}

impl Upstream {
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

    /// A request to `path` speaking for `who`.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        who: As<'_>,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header("x-request-id", request_id::current());
        if let Some(traceparent) = lawos_telemetry::traceparent_from_current_span() {
            request = request.header("traceparent", traceparent);
        }
        Ok(match who {
            As::Caller(caller) => {
                request = request.header("authorization", &caller.authorization);
                match &caller.firm_header {
                    Some(firm) => request.header("x-firm-id", firm),
                    None => request,
                }
            }
            As::Service(firm) => request
                .bearer_auth(self.tokens.token().await?)
                .header("x-firm-id", firm.to_string()),
        })
    }

    /// Sends `request`: the body for 200/201, `None` for 404 (and 403 when
    /// `hidden_403`: the caller may not see it), 503 for anything else.
    pub async fn fetch<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
        hidden_403: bool,
    ) -> Result<Option<T>, ApiError> {
        let res = request.send().await.map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 | 201 => res.json().await.map(Some).map_err(ApiError::unavailable),
            404 => Ok(None),
            403 if hidden_403 => Ok(None),
            other => Err(ApiError::dependency(
                other,
                format!("{what} answered {other}"),
            )),
        }
    }
}
