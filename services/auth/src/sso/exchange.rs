//! Token exchange (RFC 8693) of an external identity provider's token for a
//! platform session at `POST /oauth/token`:
//!
//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
//! `subject_token` = a JWT issued by a configured provider to this platform's
//! client there, `subject_token_type` = `urn:ietf:params:oauth:token-type:id_token`
//! or `…:jwt` (or `…:access_token` when the token is a JWT whose `iss` is a
//! configured provider), optionally `firm_id`, `scope`, `client_id` (default
//! `lawos-web`). The token is verified with that provider's keys (issuer =
//! the provider, audience = its client id, expiry); the account is found as
//! for an SSO login (`crate::sso::account`). The answer is the platform's
//! token response with `issued_token_type` access_token and a refresh token.
//!
//! Other access tokens (the platform's own) keep going to support access
//! (`crate::support::exchange`).

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use serde_json::json;
use uuid::Uuid;

use super::error::SsoError;
use super::provider::{Presented, unverified_issuer};
use crate::handlers::token::{DEFAULT_CLIENT_ID, start_session};
use crate::oauth::{OAuthError, required};
use crate::state::AuthState;
use lawos_core::ErrorCode;

pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
pub const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Whether this exchange presents an external provider's token: an ID token
/// or JWT type, or an access token issued by a configured provider.
pub fn is_external(state: &AuthState, params: &HashMap<String, String>) -> bool {
    match params.get("subject_token_type").map(String::as_str) {
        Some(ID_TOKEN_TYPE | JWT_TYPE) => true,
        None | Some(ACCESS_TOKEN_TYPE) => params
            .get("subject_token")
            .and_then(|t| unverified_issuer(t))
            .is_some_and(|iss| iss != state.issuer && state.config.sso.by_issuer(&iss).is_some()),
        Some(_) => false,
    }
}

/// The OAuth error of a refused external sign-in.
fn oauth_error(e: SsoError) -> actix_web::Error {
    match e.code {
        ErrorCode::SsoProviderUnavailable => {
            lawos_core::ApiError::unavailable("identity provider unavailable").into()
        }
        ErrorCode::SsoFirmRequired => OAuthError::invalid_request(
            "parameter firm_id is required: the user belongs to several firms",
        )
        .into(),
        code if code.as_str().starts_with("SSO_") => {
            let reason = e
                .details
                .as_ref()
                .and_then(|d| d["reason"].as_str())
                .unwrap_or_default()
                .to_owned();
            let description = if reason.is_empty() {
                format!("{code}: {}", e.message)
            } else {
                format!("{code}: {} ({reason})", e.message)
            };
            OAuthError::invalid_grant(description).into()
        }
        _ => e.into(),
    }
}

pub async fn exchange(
    state: &AuthState,
    params: &HashMap<String, String>,
) -> Result<HttpResponse, actix_web::Error> {
    let token = required(params, "subject_token")?;
    let kind = match params.get("subject_token_type").map(String::as_str) {
        Some(ID_TOKEN_TYPE) => Presented::IdToken,
        _ => Presented::Jwt,
    };
    for unsupported in ["actor_token", "requested_subject"] {
        if params.contains_key(unsupported) {
            return Err(OAuthError::invalid_request(format!(
                "parameter {unsupported} is not supported with an external subject_token"
            ))
            .into());
        }
    }
    if params
        .get("requested_token_type")
        .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
    {
        return Err(OAuthError::invalid_request(format!(
            "requested_token_type must be {ACCESS_TOKEN_TYPE}"
        ))
        .into());
    }
    let asked_firm = params
        .get("firm_id")
        .map(|f| f.parse::<Uuid>())
        .transpose()
        .map_err(|_| OAuthError::invalid_request("parameter firm_id must be a uuid"))?;
    let provider = unverified_issuer(token)
        .and_then(|iss| state.config.sso.by_issuer(&iss))
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                "the subject_token was not issued by a configured identity provider",
            )
        })?;
    let identity = provider
        .verify_presented(token, kind)
        .await
        .map_err(oauth_error)?;
    let signed_in = super::account::sign_in(state, &provider.config, identity, asked_firm)
        .await
        .map_err(oauth_error)?;
    let client_id = params
        .get("client_id")
        .map_or(DEFAULT_CLIENT_ID, String::as_str);
    let signer = state.active_signer().await?;
    let issued = start_session(
        state,
        &signer,
        &signed_in.user,
        signed_in.profile.as_ref(),
        client_id,
        params.get("scope").map(String::as_str),
    )
    .await?;
    tracing::info!(
        user_id = %signed_in.user.id,
        provider = %provider.config.name,
        sid = %issued.session_id,
        "external token exchanged"
    );
    let mut body = json!({
        "access_token": issued.access,
        "issued_token_type": ACCESS_TOKEN_TYPE,
        "token_type": "Bearer",
        "expires_in": state.config.access_ttl.as_secs(),
        "scope": issued.scopes.join(" "),
    });
    if let Some(refresh) = &issued.refresh {
        body["refresh_token"] = json!(refresh);
    }
    if let Some(id_token) = &issued.id_token {
        body["id_token"] = json!(id_token);
    }
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(body))
}
