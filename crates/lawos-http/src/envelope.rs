//! The outermost middleware: accepts or generates `X-Request-Id`, scopes it for
//! error bodies and logs, echoes it, and turns every non-envelope error response
//! (actix's own 404, 405, 413, …) into the Backstage envelope.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError};
use lawos_core::{ApiError, ErrorCode, request_id};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn accepted_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| value.to_owned())
}

/// The code for an error response that did not come from an [`ApiError`].
fn code_for(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::ResourceNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ErrorCode::AuthTokenInvalid,
        StatusCode::FORBIDDEN => ErrorCode::PermissionDenied,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimitExceeded,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::ServiceUnavailable,
        s if s.is_client_error() => ErrorCode::InvalidFieldFormat,
        _ => ErrorCode::InternalError,
    }
}

fn message_for(code: ErrorCode, req_path: &str) -> String {
    match code {
        ErrorCode::ResourceNotFound => format!("No resource at {req_path}"),
        ErrorCode::MethodNotAllowed => format!("Method not allowed on {req_path}"),
        ErrorCode::PayloadTooLarge => "The request body is too large".to_owned(),
        ErrorCode::UnsupportedMediaType => "The request body must be application/json".to_owned(),
        ErrorCode::InternalError => "An unexpected error occurred".to_owned(),
        _ => "The request could not be processed".to_owned(),
    }
}

pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = accepted_request_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let path = req.path().to_owned();
    let scoped_id = id.clone();
    request_id::scope(scoped_id, async move {
        // The inner middleware answer errors as responses; an `Err` can only come from
        // the framework itself and is rendered by it (cloning the request up front to
        // render it here would break routing, which needs the request unshared).
        let mut res = next.call(req).await?.map_into_boxed_body();
        let status = res.status();
        let is_api_error = res
            .response()
            .error()
            .is_some_and(|e| e.as_error::<ApiError>().is_some());
        let is_json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if (status.is_client_error() || status.is_server_error()) && !is_api_error && !is_json {
            let code = code_for(status);
            if code == ErrorCode::InternalError
                && let Some(err) = res.response().error()
            {
                tracing::error!(error = %err, "unhandled error");
            }
            let api = ApiError::new(code, message_for(code, &path));
            let mut fresh: HttpResponse = api.error_response();
            // Keep the status the router chose (e.g. 405) even where the code maps elsewhere.
            *fresh.status_mut() = if code == ErrorCode::InternalError {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                status
            };
            for (name, value) in res.headers() {
                if name == header::ALLOW || name == header::RETRY_AFTER {
                    fresh.headers_mut().insert(name.clone(), value.clone());
                }
            }
            res = res.into_response(fresh);
        }
        let headers = res.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(REQUEST_ID, value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Ok(res)
    })
    .await
}

/// Refuses a declared body larger than `limit` before any handler reads it.
pub fn body_too_large(req: &ServiceRequest, limit: usize) -> bool {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > limit)
}
