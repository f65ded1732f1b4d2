//! Errors of the SSO login flow. Their codes extend the shared catalogue
//! (`lawos_core::ErrorCode::Sso*`) for what only a redirect-based login can
//! meet: a login state that is unknown, expired or spent, an identity provider
//! that refused or failed, an ID token that does not verify, an identity with
//! no account here. They are `ApiError`s, rendered by the shared envelope, and
//! never cached (`Cache-Control: no-store`).

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use lawos_core::{ApiError, ErrorCode};
use serde_json::{Value, json};

/// An error of the SSO flow: an [`ApiError`] with an `Sso*` code or one of the
/// shared catalogue (404 unknown provider, 422, 500, …).
pub type SsoError = ApiError;

fn sso(code: ErrorCode, message: impl Into<String>, details: Option<Value>) -> ApiError {
    let err = ApiError::new(code, message)
        .with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match details {
        Some(d) => err.with_details(d),
        None => err,
    }
}

/// `SSO_STATE_INVALID` (400): the `state` is missing, unknown, expired (10
/// minutes), already used, or belongs to another provider.
pub fn state_invalid() -> ApiError {
    sso(
        ErrorCode::SsoStateInvalid,
        "The login state is unknown, expired or already used; start the login again",
        None,
    )
}

/// `SSO_PROVIDER_ERROR` (400): the provider answered the callback with an
/// error (`error=access_denied`, …).
pub fn provider_error(error: &str, description: Option<&str>) -> ApiError {
    sso(
        ErrorCode::SsoProviderError,
        format!("The identity provider did not sign the user in ({error})"),
        Some(json!({ "error": error, "errorDescription": description })),
    )
}

/// `SSO_CODE_REJECTED` (400): the provider refused the authorization code
/// (bad, spent, or PKCE mismatch).
pub fn code_rejected(reason: impl Into<String>) -> ApiError {
    sso(
        ErrorCode::SsoCodeRejected,
        "The identity provider refused the authorization code",
        Some(json!({ "reason": reason.into() })),
    )
}

/// `SSO_ID_TOKEN_INVALID` (400): signature, issuer, audience, nonce or expiry.
pub fn id_token_invalid(reason: impl Into<String>) -> ApiError {
    sso(
        ErrorCode::SsoIdTokenInvalid,
        "The identity provider's ID token did not verify",
        Some(json!({ "reason": reason.into() })),
    )
}

/// `SSO_USER_NOT_PROVISIONED` (403): the identity has no active account here
/// (see `crate::sso` for the policy).
pub fn not_provisioned(reason: impl Into<String>) -> ApiError {
    sso(
        ErrorCode::SsoUserNotProvisioned,
        "This identity has no active account; ask the firm's administrator to provision it",
        Some(json!({ "reason": reason.into() })),
    )
}

/// `SSO_FIRM_REQUIRED` (400): the user belongs to several firms and the login
/// named none of them.
pub fn firm_required() -> ApiError {
    sso(
        ErrorCode::SsoFirmRequired,
        "The user belongs to several firms: start the login with ?firm_id=",
        None,
    )
}

/// `SSO_PROVIDER_UNAVAILABLE` (502): the provider could not be reached or
/// answered nonsense; the cause goes to the log only.
pub fn unavailable(cause: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %cause, "identity provider unavailable");
    sso(
        ErrorCode::SsoProviderUnavailable,
        "The identity provider is unavailable",
        None,
    )
}

/// 404 `RESOURCE_NOT_FOUND` for a provider that is not configured.
pub fn unknown_provider(name: &str) -> ApiError {
    ApiError::not_found("IdentityProvider", name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[test]
    fn codes_render_through_the_shared_envelope_uncached() {
        let res = not_provisioned("no account").error_response();
        assert_eq!(res.status().as_u16(), 403);
        assert_eq!(
            res.headers()
                .get(CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert_eq!(state_invalid().code.as_str(), "SSO_STATE_INVALID");
        assert_eq!(unavailable("down").status_code().as_u16(), 502);
    }
}
