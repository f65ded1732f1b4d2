//! How the bridge fails: Logto not configured (503), or Logto not doing what
//! was asked (502 `LOGTO_SYNC_FAILED`, the detail in the log and the sync log).

use lawos_core::{ApiError, ErrorCode};
use reqwest::StatusCode;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum LogtoError {
    #[error("Logto {call}: unreachable or timed out ({reason})")]
    Unreachable { call: String, reason: String },
    #[error("Logto {call}: answered {status}")]
    Status { call: String, status: u16 },
    #[error("Logto {call}: unexpected body ({reason})")]
    Body { call: String, reason: String },
}

impl LogtoError {
    pub fn unreachable(call: &str, e: &reqwest::Error) -> Self {
        Self::Unreachable {
            call: call.to_owned(),
            reason: if e.is_timeout() {
                "timeout".to_owned()
            } else {
                "connection failed".to_owned()
            },
        }
    }

    pub fn status(call: &str, status: StatusCode) -> Self {
        Self::Status {
            call: call.to_owned(),
            status: status.as_u16(),
        }
    }

    pub fn body(call: &str, e: &reqwest::Error) -> Self {
        Self::Body {
            call: call.to_owned(),
            reason: e.to_string().chars().take(300).collect(),
        }
    }
}

impl From<LogtoError> for ApiError {
    fn from(e: LogtoError) -> Self {
        tracing::warn!(error = %e, "Logto Management API call failed");
        let details = match &e {
            LogtoError::Status { status, .. } => json!({ "logtoStatus": status }),
            LogtoError::Unreachable { .. } => json!({ "reason": "unreachable" }),
            LogtoError::Body { .. } => json!({ "reason": "unexpected response" }),
        };
        ApiError::new(
            ErrorCode::LogtoSyncFailed,
            "Logto did not complete the request; nothing was changed here",
        )
        .with_details(details)
    }
}

/// 503 when the bridge has no Logto settings.
pub fn not_configured() -> ApiError {
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "The Logto bridge is not configured (set LAWOS_LOGTO_ENDPOINT, \
         LAWOS_LOGTO_M2M_CLIENT_ID and LAWOS_LOGTO_M2M_CLIENT_SECRET)",
    )
    .with_details(json!({ "reason": "LOGTO_NOT_CONFIGURED" }))
}
