//! Why a token was refused, and how each reason answers over HTTP.

use lawos_core::{ApiError, ErrorCode};

/// A token rejection. Every variant but `KeysUnavailable` and
/// `RevocationUnavailable` answers 401 (those two 503); the
/// reason goes to the debug log, the body only says missing / invalid / expired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm {0} is not accepted")]
    UnsupportedAlgorithm(String),
    #[error("header algorithm {header} does not match the key's {key}")]
    AlgorithmMismatch { header: String, key: String },
    #[error("issuer {0:?} is not trusted")]
    UntrustedIssuer(String),
    #[error("no key {0:?} for the issuer")]
    UnknownKey(String),
    #[error("the issuer's keys could not be fetched: {0}")]
    KeysUnavailable(String),
    #[error("bad signature")]
    BadSignature,
    #[error("wrong audience")]
    WrongAudience,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("claim {0} is missing")]
    MissingClaim(String),
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
    #[error("session revoked")]
    Revoked,
    /// An act-as (support) token whose session could not be checked: such
    /// tokens are refused rather than trusted while revocation is unknown.
    #[error("the session revocation check is unavailable: {0}")]
    RevocationUnavailable(String),
}

impl TokenError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Missing => ErrorCode::AuthTokenMissing,
            Self::Expired => ErrorCode::AuthTokenExpired,
            Self::KeysUnavailable(_) | Self::RevocationUnavailable(_) => {
                ErrorCode::ServiceUnavailable
            }
            _ => ErrorCode::AuthTokenInvalid,
        }
    }

    pub(crate) fn from_jwt(err: &jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind;
        match err.kind() {
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidSignature | ErrorKind::Crypto(_) => Self::BadSignature,
            ErrorKind::InvalidAudience => Self::WrongAudience,
            ErrorKind::InvalidIssuer => Self::WrongIssuer,
            ErrorKind::MissingRequiredClaim(c) => Self::MissingClaim(c.clone()),
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                Self::UnsupportedAlgorithm(err.to_string())
            }
            _ => Self::Malformed(err.to_string()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(err: TokenError) -> Self {
        tracing::debug!(reason = %err, "access token rejected");
        match err {
            TokenError::Missing => {
                ApiError::new(ErrorCode::AuthTokenMissing, "An access token is required")
            }
            TokenError::Expired => {
                ApiError::new(ErrorCode::AuthTokenExpired, "The access token has expired")
            }
            TokenError::KeysUnavailable(cause) | TokenError::RevocationUnavailable(cause) => {
                ApiError::unavailable(cause)
            }
            TokenError::Revoked => {
                ApiError::new(ErrorCode::AuthTokenInvalid, "The session has been revoked")
            }
            _ => ApiError::new(ErrorCode::AuthTokenInvalid, "The access token is invalid"),
        }
    }
}

impl From<TokenError> for actix_web::Error {
    fn from(err: TokenError) -> Self {
        ApiError::from(err).into()
    }
}
