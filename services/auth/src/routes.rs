//! The auth service's routes (trailing slashes optional on API routes) and their
//! OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::{discovery, me, token};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/.well-known/openid-configuration",
        web::get().to(discovery::openid_configuration),
    )
    .route("/.well-known/jwks.json", web::get().to(discovery::jwks))
    .route("/oauth/token", web::post().to(token::token))
    .route("/oauth/revoke", web::post().to(token::revoke))
    .service(
        web::resource(["/api/v1/auth/me", "/api/v1/auth/me/"])
            .route(web::get().to(me::get))
            .route(web::patch().to(me::update)),
    );
}

pub fn openapi() -> serde_json::Value {
    OpenApi::new("LawOS auth")
        .op(
            "get",
            "/.well-known/openid-configuration",
            "The token issuer's metadata",
            None,
            &[(200, "Issuer metadata")],
        )
        .op(
            "get",
            "/.well-known/jwks.json",
            "The issuer's public signing keys (ES256)",
            None,
            &[(200, "JWK set")],
        )
        .op(
            "post",
            "/oauth/token",
            "Issue tokens (form-encoded; grants password, client_credentials, refresh_token). \
             Errors use the OAuth 2.0 shape {error, error_description}, not the envelope",
            None,
            &[
                (200, "Access token (and refresh token for user grants)"),
                (
                    400,
                    "invalid_request, invalid_grant, invalid_scope, unsupported_grant_type",
                ),
                (401, "invalid_client"),
            ],
        )
        .op(
            "post",
            "/oauth/revoke",
            "Revoke a refresh token and its whole session (RFC 7009)",
            None,
            &[(200, "Revoked, or unknown"), (400, "invalid_request")],
        )
        .op(
            "get",
            "/api/v1/auth/me",
            "The caller's identity and firm profile",
            None,
            &[(200, "The profile"), (401, "No or bad token")],
        )
        .op(
            "patch",
            "/api/v1/auth/me",
            "Update the caller's own profile fields (fullName, title, phone, preferences)",
            None,
            &[
                (200, "Updated"),
                (401, "No or bad token"),
                (403, "A read-only field (email, role, …) was sent"),
                (412, "Stale If-Match"),
                (422, "Invalid fields"),
            ],
        )
        .into_value()
}
