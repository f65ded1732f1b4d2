//! Errors of the SSO login flow, in the platform's error envelope. The codes
//! extend the catalogue (`002_…` §6) for what only a redirect-based login can
//! meet: a login state that is unknown, expired or spent, an identity provider
//! that refused or failed, an ID token that does not verify, an identity with
//! no account here.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use lawos_core::{ApiError, ErrorCode};
use serde_json::{Value, json};

/// The `state` is missing, unknown, expired (10 minutes), already used, or
/// belongs to another provider.
pub const STATE_INVALID: &str = "SSO_STATE_INVALID";
/// The identity provider answered the callback with an error (`error=access_denied`, …).
pub const PROVIDER_ERROR: &str = "SSO_PROVIDER_ERROR";
/// The provider refused the authorization code (bad, spent, or PKCE mismatch).
pub const CODE_REJECTED: &str = "SSO_CODE_REJECTED";
/// The ID token failed verification (signature, issuer, audience, nonce, expiry).
pub const ID_TOKEN_INVALID: &str = "SSO_ID_TOKEN_INVALID";
/// The identity has no active account here (see `crate::sso` for the policy).
pub const NOT_PROVISIONED: &str = "SSO_USER_NOT_PROVISIONED";
/// The user belongs to several firms and the login named none of them.
pub const FIRM_REQUIRED: &str = "SSO_FIRM_REQUIRED";
/// The identity provider could not be reached or answered nonsense.
pub const PROVIDER_UNAVAILABLE: &str = "SSO_PROVIDER_UNAVAILABLE";

#[derive(Debug)]
pub enum SsoError {
    /// An error of the shared catalogue (404 unknown provider, 503, 500, …).
    Api(ApiError),
    /// An SSO code of this module.
    Sso {
        status: StatusCode,
        code: &'static str,
        message: String,
        details: Value,
    },
}

impl SsoError {
    fn sso(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Sso {
            status,
            code,
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn with_details(self, details: Value) -> Self {
        match self {
            Self::Sso {
                status,
                code,
                message,
                ..
            } => Self::Sso {
                status,
                code,
                message,
                details,
            },
            other => other,
        }
    }

    pub fn state_invalid() -> Self {
        Self::sso(
            StatusCode::BAD_REQUEST,
            STATE_INVALID,
            "The login state is unknown, expired or already used; start the login again",
        )
    }

    pub fn provider_error(error: &str, description: Option<&str>) -> Self {
        Self::sso(
            StatusCode::BAD_REQUEST,
            PROVIDER_ERROR,
            format!("The identity provider did not sign the user in ({error})"),
        )
        .with_details(json!({ "error": error, "errorDescription": description }))
    }

    pub fn code_rejected(reason: impl Into<String>) -> Self {
        Self::sso(
            StatusCode::BAD_REQUEST,
            CODE_REJECTED,
            "The identity provider refused the authorization code",
        )
        .with_details(json!({ "reason": reason.into() }))
    }

    pub fn id_token_invalid(reason: impl Into<String>) -> Self {
        Self::sso(
            StatusCode::BAD_REQUEST,
            ID_TOKEN_INVALID,
            "The identity provider's ID token did not verify",
        )
        .with_details(json!({ "reason": reason.into() }))
    }

    pub fn not_provisioned(reason: impl Into<String>) -> Self {
        Self::sso(
            StatusCode::FORBIDDEN,
            NOT_PROVISIONED,
            "This identity has no active account; ask the firm's administrator to provision it",
        )
        .with_details(json!({ "reason": reason.into() }))
    }

    pub fn firm_required() -> Self {
        Self::sso(
            StatusCode::BAD_REQUEST,
            FIRM_REQUIRED,
            "The user belongs to several firms: start the login with ?firm_id=",
        )
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "identity provider unavailable");
        Self::sso(
            StatusCode::BAD_GATEWAY,
            PROVIDER_UNAVAILABLE,
            "The identity provider is unavailable",
        )
    }

    pub fn unknown_provider(name: &str) -> Self {
        Self::Api(ApiError::not_found("IdentityProvider", name))
    }

    /// The SSO code, or the catalogue code's name.
    pub fn code(&self) -> &str {
        match self {
            Self::Api(e) => e.code.as_str(),
            Self::Sso { code, .. } => code,
        }
    }
}

impl From<ApiError> for SsoError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl std::fmt::Display for SsoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api(e) => e.fmt(f),
            Self::Sso { code, message, .. } => write!(f, "{code}: {message}"),
        }
    }
}

impl ResponseError for SsoError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Api(e) => e.status_code(),
            Self::Sso { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Api(e) => e.error_response(),
            Self::Sso {
                status,
                code,
                message,
                details,
            } => {
                // The envelope of `ApiError`, with this module's code.
                let mut body = ApiError::new(ErrorCode::ValidationError, message.clone())
                    .with_details(details.clone())
                    .body(&lawos_core::request_id::current());
                body["error"]["code"] = json!(code);
                HttpResponse::build(*status)
                    .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
                    .json(body)
            }
        }
    }
}
