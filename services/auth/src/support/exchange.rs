//! Token exchange (RFC 8693) for support access at `POST /oauth/token`:
//!
//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
//! `subject_token` = the administrator's access token from this issuer
//! (`subject_token_type` `urn:ietf:params:oauth:token-type:access_token`, the
//! default), `requested_subject` = the target user id, `firm_id`, `reason`
//! (10..500 characters) and optionally `duration_minutes` (1..480, default 60).
//! It starts the same support session as `POST /api/v1/auth/support-access/sessions`
//! and answers the act-as token (`issued_token_type` access_token, no refresh token).

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use lawos_auth::{JwkSet, KeySource, Principal, TokenValidator, TrustedIssuer};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;

use super::{SCOPE_CREATE, sessions};
use crate::input::support::StartSession;
use crate::keys;
use crate::oauth::{OAuthError, required};
use crate::state::AuthState;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The caller behind `token`, verified against this issuer's published keys.
async fn subject(state: &AuthState, token: &str) -> Result<Principal, actix_web::Error> {
    let rows = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        keys::published(conn).scope_boxed()
    })
    .await?;
    let keys: Vec<serde_json::Value> = rows.into_iter().map(|r| r.public_jwk).collect();
    let set: JwkSet =
        serde_json::from_value(serde_json::json!({ "keys": keys })).map_err(ApiError::internal)?;
    let validator = TokenValidator::new(vec![TrustedIssuer::new(
        state.issuer.clone(),
        state.audience.clone(),
        KeySource::Static(set),
    )]);
    validator
        .validate(token)
        .await
        .map_err(|_| OAuthError::invalid_grant("subject_token is not a valid access token").into())
}

pub async fn exchange(
    state: &AuthState,
    params: &HashMap<String, String>,
) -> Result<HttpResponse, actix_web::Error> {
    let token = required(params, "subject_token")?;
    if params
        .get("subject_token_type")
        .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
    {
        return Err(OAuthError::invalid_request(format!(
            "subject_token_type must be {ACCESS_TOKEN_TYPE}"
        ))
        .into());
    }
    let admin = subject(state, token).await?;
    let admin_id = match crate::access::caller_id(&admin) {
        Some(id) if admin.has_scope(SCOPE_CREATE) && !admin.is_impersonated() => id,
        _ => {
            return Err(OAuthError::invalid_grant(format!(
                "the subject_token does not grant {SCOPE_CREATE}"
            ))
            .into());
        }
    };
    let duration_minutes = params
        .get("duration_minutes")
        .map(|d| d.parse::<i64>())
        .transpose()
        .map_err(|_| OAuthError::invalid_request("parameter duration_minutes must be a number"))?;
    let input = StartSession {
        target_user_id: Some(required(params, "requested_subject")?.to_owned()),
        firm_id: Some(required(params, "firm_id")?.to_owned()),
        reason: Some(required(params, "reason")?.to_owned()),
        duration_minutes,
    };
    let valid = input.validate().map_err(|e| {
        let names: Vec<&str> = e.fields().collect();
        OAuthError::invalid_request(format!("invalid parameters: {}", names.join(", ")))
    })?;
    let started = sessions::start(state, admin_id, valid).await.map_err(|e| {
        if e.code == lawos_core::ErrorCode::ValidationError {
            OAuthError::invalid_request("requested_subject is not an active member of firm_id")
                .into()
        } else {
            actix_web::Error::from(e)
        }
    })?;
    // RFC 8693 §2.2.1: the token response plus the type of the issued token.
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(json!({
            "access_token": started.access_token,
            "issued_token_type": ACCESS_TOKEN_TYPE,
            "token_type": "Bearer",
            "expires_in": started.expires_in,
            "scope": started.scopes.join(" "),
            "session_id": started.session.id,
        })))
}
