//! `GET /api/v1/auth/sso/{provider}/login` and `/callback` (see `crate::sso`).

use std::collections::HashMap;

use actix_web::http::header::{CACHE_CONTROL, LOCATION, PRAGMA};
use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use serde_json::json;

use crate::handlers::token::{DEFAULT_CLIENT_ID, start_session};
use crate::input::sso::{Callback, LoginQuery};
use crate::sso::account::sign_in;
use crate::sso::error::{self, SsoError};
use crate::sso::pending::{self, PendingLogin};
use crate::state::AuthState;
use crate::support::locks::Locks;

type Result<T> = std::result::Result<T, SsoError>;

fn redis(locks: &Locks) -> Result<&lawos_cache::Cache> {
    locks
        .cache()
        .ok_or_else(|| ApiError::unavailable("SSO needs Redis for the login state"))
}

/// Starts a login: 302 to the provider's authorization endpoint.
#[tracing::instrument(skip_all, fields(provider = %path))]
pub async fn login(
    state: web::Data<AuthState>,
    locks: web::Data<Locks>,
    path: web::Path<String>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse> {
    let provider = state.config.sso.get(&path)?;
    let firm_id = query.into_inner().validate()?;
    let cache = redis(&locks)?;
    let authorization = provider.authorize().await?;
    pending::put(
        cache,
        &authorization.state,
        &PendingLogin {
            provider: provider.config.name.clone(),
            nonce: authorization.nonce,
            pkce_verifier: authorization.pkce_verifier,
            firm_id,
        },
    )
    .await?;
    Ok(HttpResponse::Found()
        .insert_header((LOCATION, authorization.url.as_str()))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish())
}

/// Ends a login: verifies what the provider sent back and answers the
/// platform's tokens as JSON.
#[tracing::instrument(skip_all, fields(provider = %path))]
pub async fn callback(
    state: web::Data<AuthState>,
    locks: web::Data<Locks>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse> {
    let provider = state.config.sso.get(&path)?;
    let callback = Callback::parse(&query)?;
    let cache = redis(&locks)?;
    // The state is spent whatever happens next, an error answer included.
    let presented = match &callback {
        Callback::Code { state, .. } => Some(state.as_str()),
        Callback::Error { state, .. } => state.as_deref(),
    };
    let pending = match presented {
        Some(s) => pending::take(cache, s).await?,
        None => None,
    };
    let (code, iss) = match callback {
        Callback::Error {
            error, description, ..
        } => {
            tracing::info!(provider = %provider.config.name, %error, "the identity provider refused the login");
            return Err(error::provider_error(&error, description.as_deref()));
        }
        Callback::Code { code, iss, .. } => (code, iss),
    };
    let pending = pending
        .filter(|p| p.provider == provider.config.name)
        .ok_or_else(error::state_invalid)?;
    if iss.is_some_and(|iss| iss != provider.config.issuer) {
        return Err(error::code_rejected(
            "the response's iss is not the provider's issuer (RFC 9207)",
        ));
    }
    let identity = provider
        .redeem(&code, &pending.pkce_verifier, &pending.nonce)
        .await?;
    let signed_in = sign_in(&state, &provider.config, identity, pending.firm_id).await?;
    let signer = state.active_signer().await?;
    let issued = start_session(
        &state,
        &signer,
        &signed_in.user,
        signed_in.profile.as_ref(),
        DEFAULT_CLIENT_ID,
        None,
    )
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    tracing::info!(
        user_id = %signed_in.user.id,
        provider = %provider.config.name,
        sid = %issued.session_id,
        "SSO login"
    );
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(json!({
            "accessToken": issued.access,
            "tokenType": "Bearer",
            "expiresIn": state.config.access_ttl.as_secs(),
            "refreshToken": issued.refresh,
            "scope": issued.scopes.join(" "),
            "user": {
                "id": signed_in.user.id,
                "email": signed_in.user.email,
                "fullName": signed_in.user.full_name,
            },
            "firmId": signed_in.profile.as_ref().map(|p| p.firm_id),
            "provider": provider.config.name,
        })))
}
