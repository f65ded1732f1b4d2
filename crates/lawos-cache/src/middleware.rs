//! The rate-limit middleware: counts each request against its caller, adds the
//! `X-RateLimit-*` headers to the response, answers 429 `RATE_LIMIT_EXCEEDED`
//! when the caller is over, and fails open (a warning, no headers) when Redis
//! cannot be reached: an unavailable limiter must not take the API down.
//!
//! Two forms: the [`RateLimit`] transform (`App::wrap(RateLimit::new(…))`) and
//! the [`rate_limit`] function for `middleware::from_fn`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use crate::{ClientType, RateLimiter};

/// Who a request counts against: `(subject, client type)`.
pub type Identity = Arc<dyn Fn(&ServiceRequest) -> Option<(String, ClientType)> + Send + Sync>;

/// The anonymous identity: the TCP peer's IP address as the web client type.
/// (Deliberately not `X-Forwarded-For`, which any caller can set; behind a
/// gateway, give the limiter an identity that trusts the gateway's header.)
pub fn peer_identity(req: &ServiceRequest) -> Option<(String, ClientType)> {
    let ip = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    Some((format!("ip:{ip}"), ClientType::Web))
}

async fn limit<B, F, Fut>(
    limiter: &RateLimiter,
    req: ServiceRequest,
    call: F,
) -> Result<ServiceResponse<EitherBody<B>>, Error>
where
    F: FnOnce(ServiceRequest) -> Fut,
    Fut: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    let Some((subject, client_type)) = (limiter.identity)(&req) else {
        return call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let decision = match limiter.check(&subject, client_type).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable; letting the request through");
            return call(req).await.map(ServiceResponse::map_into_left_body);
        }
    };
    if !decision.allowed {
        tracing::info!(client_type = %client_type, retry_after = decision.retry_after_secs, "rate limit exceeded");
        let res = decision.into_error().error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    let mut res = call(req).await?;
    let headers = res.headers_mut();
    for (name, value) in decision.headers() {
        headers.insert(name, value);
    }
    Ok(res.map_into_left_body())
}

/// Rate limiting for `actix_web::middleware::from_fn`:
///
/// ```ignore
/// app.wrap(from_fn(move |req, next| lawos_cache::rate_limit(limiter.clone(), req, next)))
/// ```
pub async fn rate_limit<B: MessageBody + 'static>(
    limiter: RateLimiter,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    limit(&limiter, req, |req| async move { next.call(req).await }).await
}

/// Rate limiting as a [`Transform`]; wrap it inside the authentication
/// middleware so the identity function can read the principal.
#[derive(Clone)]
pub struct RateLimit {
    limiter: RateLimiter,
}

impl RateLimit {
    /// Keys requests by `identity` (`None` → the peer IP as a web client).
    pub fn new(
        limiter: RateLimiter,
        identity: impl Fn(&ServiceRequest) -> Option<(String, ClientType)> + Send + Sync + 'static,
    ) -> Self {
        Self {
            limiter: limiter.with_identity(identity),
        }
    }

    /// Keys requests by whatever identity `limiter` already has.
    pub fn from_limiter(limiter: RateLimiter) -> Self {
        Self { limiter }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RateLimit
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RateLimitMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RateLimitMiddleware {
            service: Rc::new(service),
            limiter: self.limiter.clone(),
        }))
    }
}

pub struct RateLimitMiddleware<S> {
    service: Rc<S>,
    limiter: RateLimiter,
}

impl<S, B> Service<ServiceRequest> for RateLimitMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let limiter = self.limiter.clone();
        Box::pin(async move { limit(&limiter, req, |req| service.call(req)).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cache, RatePolicy, test_support};
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use std::time::Duration;

    fn tiny(cache: Cache) -> RateLimiter {
        RateLimiter::new(cache)
            .with_policy(ClientType::Web, RatePolicy::per_minute(2, 2))
            .with_policy(ClientType::Mobile, RatePolicy::per_minute(1, 1))
    }

    /// Authenticated callers say who they are in `X-Test-User` (standing in
    /// for the principal) and which client they use in `X-Client-Id`.
    fn from_header(req: &ServiceRequest) -> Option<(String, ClientType)> {
        let user = req.headers().get("x-test-user")?.to_str().ok()?.to_owned();
        let client = req
            .headers()
            .get("x-client-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("web");
        Some((format!("user:{user}"), ClientType::from_client_id(client)))
    }

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().body("ok")
    }

    #[actix_web::test]
    async fn sets_headers_then_answers_the_429_envelope() {
        let app = test::init_service(
            App::new()
                .wrap(RateLimit::new(tiny(test_support::cache()), from_header))
                .route("/", web::get().to(ok)),
        )
        .await;
        let get = |user: &str, client: &str| {
            test::TestRequest::get()
                .uri("/")
                .insert_header(("x-test-user", user.to_owned()))
                .insert_header(("x-client-id", client.to_owned()))
                .to_request()
        };

        let first = test::call_service(&app, get("u1", "web-app")).await;
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers().get("x-ratelimit-limit").unwrap(), "2");
        assert_eq!(first.headers().get("x-ratelimit-remaining").unwrap(), "1");
        let reset: u64 = first
            .headers()
            .get("x-ratelimit-reset")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset > 1_700_000_000);

        let second = test::call_service(&app, get("u1", "web-app")).await;
        assert_eq!(second.status(), 200);
        assert_eq!(second.headers().get("x-ratelimit-remaining").unwrap(), "0");

        let refused = test::call_service(&app, get("u1", "web-app")).await;
        assert_eq!(refused.status(), 429);
        let retry: u64 = refused
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&retry), "retry-after {retry}");
        assert_eq!(refused.headers().get("x-ratelimit-remaining").unwrap(), "0");
        let body: serde_json::Value = test::read_body_json(refused).await;
        assert_eq!(body["error"]["code"], "RATE_LIMIT_EXCEEDED");
        assert_eq!(body["error"]["details"]["retryAfterSeconds"], retry);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("retry after")
        );
        assert!(body["error"]["timestamp"].is_string());
        assert!(body["error"]["requestId"].is_string());

        // Another user, and the same user on another client type, have their own budgets.
        assert_eq!(
            test::call_service(&app, get("u2", "web-app"))
                .await
                .status(),
            200
        );
        let mobile = test::call_service(&app, get("u1", "mobile-ios")).await;
        assert_eq!(mobile.status(), 200);
        assert_eq!(mobile.headers().get("x-ratelimit-limit").unwrap(), "1");
    }

    #[actix_web::test]
    async fn anonymous_callers_are_limited_by_peer_ip() {
        let app = test::init_service(
            App::new()
                .wrap(RateLimit::new(tiny(test_support::cache()), from_header))
                .route("/", web::get().to(ok)),
        )
        .await;
        let from = |ip: &str| {
            test::TestRequest::get()
                .uri("/")
                .peer_addr(format!("{ip}:4000").parse().unwrap())
                .to_request()
        };
        assert_eq!(
            test::call_service(&app, from("10.0.0.1")).await.status(),
            200
        );
        assert_eq!(
            test::call_service(&app, from("10.0.0.1")).await.status(),
            200
        );
        assert_eq!(
            test::call_service(&app, from("10.0.0.1")).await.status(),
            429
        );
        assert_eq!(
            test::call_service(&app, from("10.0.0.2")).await.status(),
            200
        );
    }

    #[actix_web::test]
    async fn from_fn_form_limits_too() {
        let limiter = tiny(test_support::cache()).with_identity(from_header);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(move |req, next| {
                    rate_limit(limiter.clone(), req, next)
                }))
                .route("/", web::get().to(ok)),
        )
        .await;
        let get = || {
            test::TestRequest::get()
                .uri("/")
                .insert_header(("x-test-user", "z"))
                .to_request()
        };
        let res = test::call_service(&app, get()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers().get("x-ratelimit-remaining").unwrap(), "1");
        assert_eq!(test::call_service(&app, get()).await.status(), 200);
        assert_eq!(test::call_service(&app, get()).await.status(), 429);
    }

    #[actix_web::test]
    async fn fails_open_when_redis_is_unreachable() {
        let cache = Cache::connect("redis://127.0.0.1:1", "t").unwrap();
        let app = test::init_service(
            App::new()
                .wrap(RateLimit::new(tiny(cache), from_header))
                .route("/", web::get().to(ok)),
        )
        .await;
        for _ in 0..3 {
            let started = std::time::Instant::now();
            let res =
                test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
            assert_eq!(res.status(), 200);
            assert!(res.headers().get("x-ratelimit-limit").is_none());
            assert!(started.elapsed() < Duration::from_secs(3));
        }
    }
}
