//! `Idempotency-Key` on `POST` (ARCHITECTURE §6): the same key with the same body
//! replays the first response; the same key with another body is 422
//! `IDEMPOTENCY_KEY_REUSED`; a retry while the first is still running is 409.
//! Keys are scoped to the caller and the route and kept for 24 hours in Redis.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse};
use lawos_cache::Cache;
use lawos_core::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const KEEP: Duration = Duration::from_secs(24 * 3600);
const IN_FLIGHT: Duration = Duration::from_secs(60);
/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
enum Entry {
    Pending {
        hash: String,
    },
    Done {
        hash: String,
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

fn caller(req: &ServiceRequest) -> String {
    match req.extensions().get::<lawos_auth::Principal>() {
        Some(p) => format!("sub:{}", p.subject),
        None => format!(
            "ip:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    }
}

fn valid_key(value: &HeaderValue) -> Option<String> {
    let key = value.to_str().ok()?;
    (!key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| key.to_owned())
}

fn error(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    req.error_response(err).map_into_boxed_body()
}

fn replay(
    req: ServiceRequest,
    status: u16,
    headers: &[(String, String)],
    body: String,
) -> ServiceResponse<BoxBody> {
    let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    for (name, value) in headers {
        res.insert_header((name.as_str(), value.as_str()));
    }
    res.insert_header((REPLAYED, "true"));
    req.into_response(res.body(body))
}

/// Whether `Idempotency-Key` applies to `POST`s of `path`. Not to the OAuth
/// endpoints: a token response must never be stored and replayed (RFC 6749
/// §5.1: `Cache-Control: no-store`), and their errors have the OAuth shape.
pub fn applies_to(path: &str) -> bool {
    !path.starts_with("/oauth/")
}

/// The middleware; a no-op for anything but a `POST` with the header (on a
/// path it [applies to](applies_to)).
pub async fn idempotency(
    cache: Cache,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = match req.headers().get(IDEMPOTENCY_KEY) {
        Some(value) if req.method() == Method::POST && applies_to(req.path()) => {
            match valid_key(value) {
                Some(key) => key,
                None => {
                    let err = ApiError::new(
                        ErrorCode::InvalidFieldFormat,
                        "Idempotency-Key must be 1–255 visible characters",
                    );
                    return Ok(error(req, err));
                }
            }
        }
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    let body = req.extract::<Bytes>().await?;
    let hash: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    req.set_payload(Payload::from(body));
    let slot = format!("idem:{}:{}:{}", caller(&req), req.path(), key);

    let claimed = cache
        .fill_json(&slot, &Entry::Pending { hash: hash.clone() }, IN_FLIGHT)
        .await;
    match claimed {
        Ok(true) => {}
        Ok(false) => {
            return Ok(match cache.get_json::<Entry>(&slot).await {
                Ok(Some(Entry::Done {
                    hash: h,
                    status,
                    headers,
                    body,
                })) if h == hash => replay(req, status, &headers, body),
                Ok(Some(Entry::Pending { hash: h })) if h == hash => error(
                    req,
                    ApiError::new(
                        ErrorCode::ResourceConflict,
                        "A request with this Idempotency-Key is still in progress",
                    ),
                ),
                Ok(Some(_)) => error(
                    req,
                    ApiError::new(
                        ErrorCode::IdempotencyKeyReused,
                        "This Idempotency-Key was used with a different request body",
                    ),
                ),
                // The entry expired between the two calls, or Redis failed: run the request.
                _ => next.call(req).await?.map_into_boxed_body(),
            });
        }
        Err(e) => {
            tracing::warn!(error = %e, "idempotency store unavailable; running the request without it");
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    }

    let res = next.call(req).await?;
    let status = res.status();
    if status.is_server_error() {
        // A failure is not remembered: the client's retry runs again.
        let _ = cache.delete(&slot).await;
        return Ok(res.map_into_boxed_body());
    }
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            Some((
                name.as_str().to_owned(),
                res.headers().get(name)?.to_str().ok()?.to_owned(),
            ))
        })
        .collect();
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| ApiError::internal("cannot buffer the response"))?;
    let entry = Entry::Done {
        hash,
        status: status.as_u16(),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = cache.set_json(&slot, &entry, KEEP).await {
        tracing::warn!(error = %e, "cannot remember the idempotent response");
        let _ = cache.delete(&slot).await;
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}
