//! The application builder: the middleware stack once, the operational routes,
//! and each mounted service's routes.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, Error, HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use std::sync::Arc;

use crate::envelope::{body_too_large, envelope};
use crate::extract::{json_config, path_config, query_config};
use crate::health::{Readiness, livez, readyz};
use crate::mount::Mount;
use crate::observe::observe;
use crate::openapi::OpenApi;

/// Settings shared by every mount of one process.
#[derive(Clone)]
pub struct AppSettings {
    pub title: String,
    pub body_limit: usize,
    pub validator: lawos_auth::TokenValidator,
    pub rate_limiter: Option<lawos_cache::RateLimiter>,
    /// Where `Idempotency-Key` responses are kept; `None` ignores the header.
    pub idempotency: Option<lawos_cache::Cache>,
    pub cursors: CursorCodec,
    /// Where requests made with act-as tokens are queued for the auth service's
    /// access log; `None` logs them only.
    pub support_log: Option<lawos_cache::Cache>,
}

pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

async fn openapi_doc(doc: web::Data<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(lawos_telemetry::render_metrics())
}

async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("No resource at {}", req.path()),
    ))
}

/// Operational routes are never rate-limited (probes and scrapers must always get through).
fn is_operational(path: &str) -> bool {
    matches!(path, "/livez" | "/readyz" | "/metrics")
}

/// Service-to-service calls are not rate-limited: the user request behind one
/// was counted where it entered, and one service's token carries the traffic of
/// every user, so a limit on it would throttle them all together.
fn from_a_service(req: &ServiceRequest) -> bool {
    use actix_web::HttpMessage;
    req.extensions()
        .get::<lawos_auth::Principal>()
        .is_some_and(lawos_auth::Principal::is_service)
}

/// Builds the app serving `mounts` behind the shared middleware.
pub fn build_app(
    settings: AppSettings,
    mounts: Vec<Mount>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let readiness = Readiness(
        mounts
            .iter()
            .flat_map(|m| m.readiness.iter().cloned())
            .collect(),
    );
    let doc = OpenApi::merge(&settings.title, mounts.iter().map(|m| m.openapi.clone()));
    let limit = settings.body_limit;
    let mut app = App::new()
        .app_data(json_config(limit))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(query_config())
        .app_data(path_config())
        .app_data(web::Data::new(readiness))
        .app_data(web::Data::new(doc))
        .app_data(web::Data::new(settings.cursors.clone()))
        // The token check itself, for credentials that do not come in
        // `Authorization` (a WebSocket's `Sec-WebSocket-Protocol`).
        .app_data(web::Data::new(settings.validator.clone()))
        .route("/livez", web::get().to(livez))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics))
        .route("/openapi.json", web::get().to(openapi_doc))
        .route("/docs", web::get().to(crate::docs_page::docs));
    for mount in &mounts {
        let configure = Arc::clone(&mount.configure);
        app = app.configure(move |cfg| configure(cfg));
    }
    let limiter = settings.rate_limiter.clone();
    let idempotency_store = settings.idempotency.clone();
    let support_log = settings.support_log.clone();
    app.default_service(web::to(not_found))
        .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
            let store = idempotency_store.clone();
            async move {
                match store {
                    Some(cache) => crate::idempotency::idempotency(cache, req, next).await,
                    None => next
                        .call(req)
                        .await
                        .map(ServiceResponse::map_into_boxed_body),
                }
            }
        }))
        .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
            let limiter = limiter.clone();
            async move {
                match limiter {
                    Some(l) if !is_operational(req.path()) && !from_a_service(&req) => {
                        lawos_cache::rate_limit(l, req, next).await
                    }
                    _ => next
                        .call(req)
                        .await
                        .map(ServiceResponse::map_into_left_body),
                }
            }
        }))
        .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
            crate::support_log::record(support_log.clone(), req, next)
        }))
        .wrap(lawos_auth::Authenticate::new(settings.validator.clone()))
        .wrap(from_fn(
            move |req: ServiceRequest, next: Next<_>| async move {
                if body_too_large(&req, limit) {
                    let err =
                        ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large");
                    return Ok(req.error_response(err).map_into_right_body());
                }
                next.call(req)
                    .await
                    .map(ServiceResponse::map_into_left_body)
            },
        ))
        .wrap(from_fn(observe))
        .wrap(from_fn(envelope))
}
