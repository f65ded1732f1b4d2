//! `Authenticate`: validates a bearer token when one is sent and puts the
//! [`Principal`] in the request extensions. `RequireScope`: refuses requests
//! to a scope of routes unless the caller's token grants a scope.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;
use lawos_core::ApiError;

use crate::error::TokenError;
use crate::principal::Principal;
use crate::validator::TokenValidator;

/// The bearer token of `Authorization`, `Ok(None)` when there is no such
/// header, an error when the header is not a usable bearer credential.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, TokenError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| TokenError::Malformed("Authorization is not ASCII".into()))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::Malformed(
            "Authorization is not a Bearer credential".into(),
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Malformed("empty bearer token".into()));
    }
    Ok(Some(token))
}

fn is_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
}

/// Middleware authenticating bearer tokens. Requests without
/// `Authorization` pass through unauthenticated (handlers needing a caller
/// extract [`Principal`] and get 401 `AUTH_TOKEN_MISSING`); a present but
/// invalid credential is answered with 401 at once, except a credential that is
/// not `Bearer` on `/oauth/` and `/webhooks/` routes, which check it themselves.
#[derive(Clone, Debug)]
pub struct Authenticate {
    validator: TokenValidator,
}

impl Authenticate {
    pub fn new(validator: TokenValidator) -> Self {
        Self { validator }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Authenticate
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = AuthenticateMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthenticateMiddleware {
            service: Rc::new(service),
            validator: self.validator.clone(),
        }))
    }
}

pub struct AuthenticateMiddleware<S> {
    service: Rc<S>,
    validator: TokenValidator,
}

impl<S, B> Service<ServiceRequest> for AuthenticateMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let validator = self.validator.clone();
        Box::pin(async move {
            // The OAuth endpoints authenticate clients themselves (HTTP Basic, RFC 6749 §2.3.1),
            // and webhooks their senders (LiveKit signs with a bare JWT in `Authorization`).
            let self_auth =
                req.path().starts_with("/oauth/") || req.path().starts_with("/webhooks/");
            let client_auth = self_auth && !is_bearer(req.headers());
            let outcome = match bearer_token(req.headers()) {
                _ if client_auth => None,
                Ok(None) => None,
                Ok(Some(token)) => {
                    let token = token.to_owned();
                    Some(validator.validate(&token).await)
                }
                Err(e) => Some(Err(e)),
            };
            match outcome {
                None => {}
                Some(Ok(principal)) => {
                    req.extensions_mut().insert(principal);
                }
                Some(Err(e)) => {
                    return Ok(req.error_response(ApiError::from(e)).map_into_right_body());
                }
            }
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

/// Middleware for a scope of routes: 401 `AUTH_TOKEN_MISSING` without a
/// caller, 403 `PERMISSION_DENIED` unless the token grants the scope.
/// Must sit inside [`Authenticate`]. In handlers, use
/// `principal.require_scope("firms:create")?` instead.
#[derive(Clone, Debug)]
pub struct RequireScope {
    scope: Rc<str>,
}

impl RequireScope {
    pub fn new(scope: &str) -> Self {
        Self {
            scope: Rc::from(scope),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequireScope
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireScopeMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireScopeMiddleware {
            service,
            scope: Rc::clone(&self.scope),
        }))
    }
}

pub struct RequireScopeMiddleware<S> {
    service: S,
    scope: Rc<str>,
}

impl<S, B> Service<ServiceRequest> for RequireScopeMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let verdict = match req.extensions().get::<Principal>() {
            None => Err(ApiError::from(TokenError::Missing)),
            Some(principal) => principal.require_scope(&self.scope),
        };
        match verdict {
            Ok(()) => {
                let fut = self.service.call(req);
                Box::pin(async move { fut.await.map(ServiceResponse::map_into_left_body) })
            }
            Err(e) => {
                let response = req.error_response(e).map_into_right_body();
                Box::pin(async move { Ok(response) })
            }
        }
    }
}
