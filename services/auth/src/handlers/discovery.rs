//! `GET /.well-known/openid-configuration` and `GET /.well-known/jwks.json`.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;

use crate::config::JWKS_MAX_AGE_SECS;
use crate::state::AuthState;
use crate::{keys, oidc, roles};

/// The issuer's metadata (OpenID Connect Discovery 1.0 / RFC 8414). Only what
/// the issuer really does is advertised: no authorization endpoint (no
/// authorization code flow), so relying parties configure the token endpoint,
/// JWKS and algorithms from this document themselves (`crate::oidc`).
#[tracing::instrument(skip_all)]
pub async fn openid_configuration(state: web::Data<AuthState>) -> HttpResponse {
    let issuer = state.issuer.as_str();
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "token_endpoint": format!("{issuer}/oauth/token"),
            "revocation_endpoint": format!("{issuer}/oauth/revoke"),
            "grant_types_supported": ["password", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "response_types_supported": [],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
            "scopes_supported": oidc::OIDC_SCOPES
                .iter()
                .chain(roles::SYSTEM_ADMIN_SCOPES.iter())
                .collect::<Vec<_>>(),
            "claims_supported": [
                "iss", "sub", "aud", "exp", "iat", "jti", "auth_time",
                "firm_id", "client_id", "sid", "scope", "roles", "email", "name"
            ],
        }))
}

/// The public keys: the one signing now, ones published ahead of use, and
/// retired ones whose tokens may still be alive.
#[tracing::instrument(skip_all)]
pub async fn jwks(state: web::Data<AuthState>) -> Result<HttpResponse, ApiError> {
    state.ensure_ready().await?;
    let rows = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        keys::published(conn).scope_boxed()
    })
    .await?;
    let keys: Vec<serde_json::Value> = rows.into_iter().map(|r| r.public_jwk).collect();
    Ok(HttpResponse::Ok()
        .insert_header((
            CACHE_CONTROL,
            format!("public, max-age={JWKS_MAX_AGE_SECS}"),
        ))
        .json(json!({ "keys": keys })))
}
