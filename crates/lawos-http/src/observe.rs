//! One span and one set of metrics per request, labelled by the matched route
//! pattern (never the raw path, so ids do not explode label cardinality).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!(
        "http_request",
        http.method = %method,
        http.route = %route,
        request_id = %lawos_core::request_id::current(),
        http.status = tracing::field::Empty,
    );
    if let Some(traceparent) = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
    {
        lawos_telemetry::set_parent_from_traceparent(&span, traceparent);
    }
    let res = next.call(req).instrument(span.clone()).await;
    let status = match &res {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    span.record("http.status", status);
    let elapsed = started.elapsed();
    lawos_telemetry::record_http(&method, &route, status, elapsed);
    if status >= 500 {
        tracing::error!(parent: &span, status, elapsed_ms = elapsed.as_millis() as u64, "request failed");
    } else {
        tracing::info!(parent: &span, status, elapsed_ms = elapsed.as_millis() as u64, "request");
    }
    res
}
