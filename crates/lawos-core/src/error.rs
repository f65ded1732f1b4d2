//! The Backstage error envelope (`{"error":{code,message,details,timestamp,requestId}}`)
//! and the error-code catalogue (§6.3 of the Backstage specification).

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};
use std::fmt;

use crate::request_id;

/// Every error code the platform answers with, and its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    AuthTokenMissing,
    AuthTokenInvalid,
    AuthTokenExpired,
    PermissionDenied,
    FirmAccessDenied,
    ValidationError,
    RequiredFieldMissing,
    InvalidFieldFormat,
    InvalidEnumValue,
    ResourceNotFound,
    ResourceAlreadyExists,
    ResourceConflict,
    CaseAlreadyClosed,
    TimeEntryAlreadyInvoiced,
    DocumentUploadFailed,
    LogtoSyncFailed,
    RateLimitExceeded,
    InternalError,
    ServiceUnavailable,
    // Extensions to the catalogue.
    MethodNotAllowed,
    MalformedJson,
    PayloadTooLarge,
    PreconditionFailed,
    InvalidStageTransition,
    IdempotencyKeyReused,
    UnsupportedMediaType,
    /// A document version's object is missing or not of the declared size.
    DocumentUploadIncomplete,
    /// A document version's bytes do not have the declared SHA-256.
    DocumentChecksumMismatch,
    /// The document version is no longer waiting for its upload.
    DocumentVersionNotPending,
    /// The document (or version) has no bytes to serve.
    DocumentNotAvailable,
    /// SSO login: the `state` is missing, unknown, expired, spent or another provider's.
    SsoStateInvalid,
    /// SSO login: the identity provider answered the callback with an error.
    SsoProviderError,
    /// SSO login: the provider refused the authorization code (bad, spent, PKCE mismatch).
    SsoCodeRejected,
    /// SSO login: the ID token failed verification (signature, issuer, audience, nonce, expiry).
    SsoIdTokenInvalid,
    /// SSO login: the identity has no active account here.
    SsoUserNotProvisioned,
    /// SSO login: the user belongs to several firms and the login named none.
    SsoFirmRequired,
    /// SSO login: the identity provider could not be reached or answered nonsense.
    SsoProviderUnavailable,
    /// The change would leave the platform without an active system administrator.
    LastSystemAdmin,
    /// A user cannot deactivate or erase their own account.
    SelfDeactivation,
    /// A time entry, expense or invoice cannot move between these statuses.
    InvalidStatusTransition,
    /// A trust disbursement or transfer would overdraw the client's trust balance.
    TrustFundsInsufficient,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 41] = [
        Self::AuthTokenMissing,
        Self::AuthTokenInvalid,
        Self::AuthTokenExpired,
        Self::PermissionDenied,
        Self::FirmAccessDenied,
        Self::ValidationError,
        Self::RequiredFieldMissing,
        Self::InvalidFieldFormat,
        Self::InvalidEnumValue,
        Self::ResourceNotFound,
        Self::ResourceAlreadyExists,
        Self::ResourceConflict,
        Self::CaseAlreadyClosed,
        Self::TimeEntryAlreadyInvoiced,
        Self::DocumentUploadFailed,
        Self::LogtoSyncFailed,
        Self::RateLimitExceeded,
        Self::InternalError,
        Self::ServiceUnavailable,
        Self::MethodNotAllowed,
        Self::MalformedJson,
        Self::PayloadTooLarge,
        Self::PreconditionFailed,
        Self::InvalidStageTransition,
        Self::IdempotencyKeyReused,
        Self::UnsupportedMediaType,
        Self::DocumentUploadIncomplete,
        Self::DocumentChecksumMismatch,
        Self::DocumentVersionNotPending,
        Self::DocumentNotAvailable,
        Self::SsoStateInvalid,
        Self::SsoProviderError,
        Self::SsoCodeRejected,
        Self::SsoIdTokenInvalid,
        Self::SsoUserNotProvisioned,
        Self::SsoFirmRequired,
        Self::SsoProviderUnavailable,
        Self::LastSystemAdmin,
        Self::SelfDeactivation,
        Self::InvalidStatusTransition,
        Self::TrustFundsInsufficient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthTokenMissing => "AUTH_TOKEN_MISSING",
            Self::AuthTokenInvalid => "AUTH_TOKEN_INVALID",
            Self::AuthTokenExpired => "AUTH_TOKEN_EXPIRED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::FirmAccessDenied => "FIRM_ACCESS_DENIED",
            Self::ValidationError => "VALIDATION_ERROR",
            Self::RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
            Self::InvalidFieldFormat => "INVALID_FIELD_FORMAT",
            Self::InvalidEnumValue => "INVALID_ENUM_VALUE",
            Self::ResourceNotFound => "RESOURCE_NOT_FOUND",
            Self::ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
            Self::ResourceConflict => "RESOURCE_CONFLICT",
            Self::CaseAlreadyClosed => "CASE_ALREADY_CLOSED",
            Self::TimeEntryAlreadyInvoiced => "TIME_ENTRY_ALREADY_INVOICED",
            Self::DocumentUploadFailed => "DOCUMENT_UPLOAD_FAILED",
            Self::LogtoSyncFailed => "LOGTO_SYNC_FAILED",
            Self::RateLimitExceeded => "RATE_LIMIT_EXCEEDED",
            Self::InternalError => "INTERNAL_ERROR",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::MalformedJson => "MALFORMED_JSON",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::PreconditionFailed => "PRECONDITION_FAILED",
            Self::InvalidStageTransition => "INVALID_STAGE_TRANSITION",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::DocumentUploadIncomplete => "DOCUMENT_UPLOAD_INCOMPLETE",
            Self::DocumentChecksumMismatch => "DOCUMENT_CHECKSUM_MISMATCH",
            Self::DocumentVersionNotPending => "DOCUMENT_VERSION_NOT_PENDING",
            Self::DocumentNotAvailable => "DOCUMENT_NOT_AVAILABLE",
            Self::InvalidStatusTransition => "INVALID_STATUS_TRANSITION",
            Self::TrustFundsInsufficient => "TRUST_FUNDS_INSUFFICIENT",
            Self::SsoStateInvalid => "SSO_STATE_INVALID",
            Self::SsoProviderError => "SSO_PROVIDER_ERROR",
            Self::SsoCodeRejected => "SSO_CODE_REJECTED",
            Self::SsoIdTokenInvalid => "SSO_ID_TOKEN_INVALID",
            Self::SsoUserNotProvisioned => "SSO_USER_NOT_PROVISIONED",
            Self::SsoFirmRequired => "SSO_FIRM_REQUIRED",
            Self::SsoProviderUnavailable => "SSO_PROVIDER_UNAVAILABLE",
            Self::LastSystemAdmin => "LAST_SYSTEM_ADMIN",
            Self::SelfDeactivation => "SELF_DEACTIVATION",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::AuthTokenMissing | Self::AuthTokenInvalid | Self::AuthTokenExpired => {
                StatusCode::UNAUTHORIZED
            }
            Self::PermissionDenied | Self::FirmAccessDenied => StatusCode::FORBIDDEN,
            Self::ValidationError | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RequiredFieldMissing
            | Self::InvalidFieldFormat
            | Self::InvalidEnumValue
            | Self::CaseAlreadyClosed
            | Self::TimeEntryAlreadyInvoiced
            | Self::MalformedJson => StatusCode::BAD_REQUEST,
            Self::ResourceNotFound => StatusCode::NOT_FOUND,
            Self::ResourceAlreadyExists
            | Self::ResourceConflict
            | Self::InvalidStageTransition
            | Self::InvalidStatusTransition
            | Self::TrustFundsInsufficient => StatusCode::CONFLICT,
            Self::DocumentUploadFailed | Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::LogtoSyncFailed => StatusCode::BAD_GATEWAY,
            Self::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::DocumentUploadIncomplete => StatusCode::UNPROCESSABLE_ENTITY,
            Self::DocumentChecksumMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Self::DocumentVersionNotPending => StatusCode::CONFLICT,
            Self::DocumentNotAvailable => StatusCode::CONFLICT,
            Self::SsoStateInvalid => StatusCode::BAD_REQUEST,
            Self::SsoProviderError => StatusCode::BAD_REQUEST,
            Self::SsoCodeRejected => StatusCode::BAD_REQUEST,
            Self::SsoIdTokenInvalid => StatusCode::BAD_REQUEST,
            Self::SsoUserNotProvisioned => StatusCode::FORBIDDEN,
            Self::SsoFirmRequired => StatusCode::BAD_REQUEST,
            Self::SsoProviderUnavailable => StatusCode::BAD_GATEWAY,
            Self::LastSystemAdmin => StatusCode::CONFLICT,
            Self::SelfDeactivation => StatusCode::CONFLICT,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the API answers it. Internal failures carry their cause only
/// into the log, never into the body.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            headers: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 404 that does not reveal whether the resource exists in another firm.
    pub fn not_found(resource_type: &str, id: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::ResourceNotFound,
            format!(
                "The requested {} could not be found",
                resource_type.to_lowercase()
            ),
        )
        .with_details(json!({ "resourceType": resource_type, "resourceId": id.to_string() }))
    }

    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PermissionDenied, message)
    }

    /// Logs the cause and answers an opaque 500.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::InternalError, "An unexpected error occurred")
    }

    pub fn unavailable(cause: impl fmt::Display) -> Self {
        tracing::warn!(error = %cause, "dependency unavailable");
        Self::new(
            ErrorCode::ServiceUnavailable,
            "The service is temporarily unavailable",
        )
    }

    /// Another service answered `status`, which this one does not expect: a 429
    /// passes on as 429 (the caller's own token was over its limit there, the
    /// rate limits being per caller across services), anything else is 503.
    pub fn dependency(status: u16, cause: impl fmt::Display) -> Self {
        if status == 429 {
            tracing::info!(error = %cause, "dependency refused the caller: rate limit");
            Self::new(
                ErrorCode::RateLimitExceeded,
                "Too many requests: retry later",
            )
        } else {
            Self::unavailable(cause)
        }
    }

    /// The JSON body of the envelope.
    pub fn body(&self, request_id: &str) -> Value {
        json!({
            "error": {
                "code": self.code.as_str(),
                "message": self.message,
                "details": self.details.clone().unwrap_or_else(|| json!({})),
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "requestId": request_id,
            }
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        for (name, value) in &self.headers {
            builder.insert_header((name.clone(), value.clone()));
        }
        builder.json(self.body(&request_id::current()))
    }
}

impl From<crate::validation::FieldErrors> for ApiError {
    fn from(errors: crate::validation::FieldErrors) -> Self {
        errors.into_api_error()
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => Self::new(
                ErrorCode::ResourceNotFound,
                "The requested resource could not be found",
            ),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let constraint = info.constraint_name().map(str::to_owned);
                Self::new(
                    ErrorCode::ResourceAlreadyExists,
                    "A resource with this identifier already exists",
                )
                .with_details(json!({ "constraint": constraint }))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::new(
                ErrorCode::ResourceConflict,
                "Concurrent modification detected; retry",
            ),
            other => Self::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_rate_limit_passes_on_and_other_statuses_are_unavailable() {
        let limited = ApiError::dependency(429, "the tenants service answered 429");
        assert_eq!(limited.code, ErrorCode::RateLimitExceeded);
        assert_eq!(limited.code.status().as_u16(), 429);
        for status in [500, 502, 400, 409] {
            let err = ApiError::dependency(status, "the tenants service answered");
            assert_eq!(err.code, ErrorCode::ServiceUnavailable, "{status}");
        }
    }

    #[test]
    fn every_code_has_a_distinct_name_and_a_client_or_server_status() {
        let mut names = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(names.insert(code.as_str()), "duplicate {code}");
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }

    #[test]
    fn catalogue_statuses_match_the_specification() {
        let expected = [
            ("AUTH_TOKEN_MISSING", 401),
            ("AUTH_TOKEN_INVALID", 401),
            ("AUTH_TOKEN_EXPIRED", 401),
            ("PERMISSION_DENIED", 403),
            ("FIRM_ACCESS_DENIED", 403),
            ("VALIDATION_ERROR", 422),
            ("REQUIRED_FIELD_MISSING", 400),
            ("INVALID_FIELD_FORMAT", 400),
            ("INVALID_ENUM_VALUE", 400),
            ("RESOURCE_NOT_FOUND", 404),
            ("RESOURCE_ALREADY_EXISTS", 409),
            ("RESOURCE_CONFLICT", 409),
            ("CASE_ALREADY_CLOSED", 400),
            ("TIME_ENTRY_ALREADY_INVOICED", 400),
            ("DOCUMENT_UPLOAD_FAILED", 500),
            ("LOGTO_SYNC_FAILED", 502),
            ("RATE_LIMIT_EXCEEDED", 429),
        ];
        for (name, status) in expected {
            let code = ErrorCode::ALL
                .into_iter()
                .find(|c| c.as_str() == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(code.status().as_u16(), status, "{name}");
        }
    }

    #[test]
    fn envelope_has_the_specified_shape() {
        let err = ApiError::not_found("Matter", "m1");
        let body = err.body("req-1");
        let inner = &body["error"];
        assert_eq!(inner["code"], "RESOURCE_NOT_FOUND");
        assert_eq!(inner["requestId"], "req-1");
        assert_eq!(inner["details"]["resourceId"], "m1");
        assert!(
            inner["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
        assert_eq!(inner.as_object().map(|o| o.len()), Some(5));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::internal("password=hunter2 connection refused");
        assert!(!err.body("r").to_string().contains("hunter2"));
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
