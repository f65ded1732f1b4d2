//! The Messages API: `POST {base}/v2/messages` (`from`, `to`, `text`,
//! `messaging_profile_id`), bearer API key. Telnyx answers the message record
//! `{"data": {"id", "to": [{"phone_number", "status"}], "parts", …}}` or
//! `{"errors": [{"code", "title", "detail"}]}`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// A message Telnyx accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// Telnyx's message id (delivery receipts name it).
    pub id: String,
    /// The recipient's status as Telnyx first answers it (`queued`, `sending`, …).
    pub status: Option<String>,
    /// How many SMS parts Telnyx counted.
    pub parts: Option<i64>,
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelnyxError {
    /// Trying again later may work: a timeout, no connection, a 5xx, a 429.
    #[error("{0}")]
    Retryable(String),
    /// Trying again will not help: Telnyx refused the request (4xx), or the
    /// client is not usable.
    #[error("{0}")]
    Permanent(String),
}

impl TelnyxError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }

    /// The reason, as kept beside a failed message.
    pub fn reason(&self) -> &str {
        match self {
            Self::Retryable(r) | Self::Permanent(r) => r,
        }
    }
}

/// The Messages API client (cheap to clone).
#[derive(Clone)]
pub struct TelnyxClient {
    base_url: String,
    api_key: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for TelnyxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelnyxClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Telnyx's error list as one line: `code title: detail; …`.
fn describe_errors(body: &Value) -> Option<String> {
    let errors = body["errors"].as_array()?;
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let mut line = String::new();
            if let Some(code) = e["code"].as_str() {
                line.push_str(code);
                line.push(' ');
            }
            line.push_str(e["title"].as_str().unwrap_or("error"));
            if let Some(detail) = e["detail"].as_str() {
                line.push_str(": ");
                line.push_str(detail);
            }
            line
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

impl TelnyxClient {
    /// A client of the API at `base_url` (e.g. [`crate::DEFAULT_API_URL`]) with
    /// `api_key`; each call gives up after `timeout` (a retryable failure).
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Result<Self, TelnyxError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| TelnyxError::Permanent(format!("HTTP client: {e}")))?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            http,
        })
    }

    /// Sends `text` from `from` (the firm's number, E.164) to `to` through
    /// messaging profile `profile`.
    #[tracing::instrument(skip(self, text), fields(%from, %to))]
    pub async fn send_sms(
        &self,
        from: &str,
        to: &str,
        text: &str,
        profile: &str,
    ) -> Result<SentMessage, TelnyxError> {
        let body = json!({
            "from": from,
            "to": to,
            "text": text,
            "messaging_profile_id": profile,
            "type": "SMS",
        });
        let res = self
            .http
            .post(format!("{}/v2/messages", self.base_url))
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                let what = if e.is_timeout() {
                    "timed out"
                } else {
                    "could not be reached"
                };
                TelnyxError::Retryable(format!("Telnyx {what}: {e}"))
            })?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            let data = &answer["data"];
            return match data["id"].as_str() {
                Some(id) => Ok(SentMessage {
                    id: id.to_owned(),
                    status: data["to"][0]["status"].as_str().map(str::to_owned),
                    parts: data["parts"].as_i64(),
                }),
                // Accepted but unreadable: the message may be on its way, so a
                // retry could send it twice.
                None => Err(TelnyxError::Permanent(format!(
                    "Telnyx answered {status} without a message id"
                ))),
            };
        }
        let reason = format!(
            "Telnyx answered {}: {}",
            status.as_u16(),
            describe_errors(&answer).unwrap_or_else(|| text.chars().take(200).collect())
        );
        if status.is_server_error() || status.as_u16() == 429 {
            Err(TelnyxError::Retryable(reason))
        } else {
            Err(TelnyxError::Permanent(reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_one_line() {
        let body = json!({ "errors": [
            { "code": "40310", "title": "Invalid 'to' address", "detail": "The 'to' address should be E.164" },
            { "code": "10015", "title": "Bad request" }
        ]});
        assert_eq!(
            describe_errors(&body).as_deref(),
            Some("40310 Invalid 'to' address: The 'to' address should be E.164; 10015 Bad request")
        );
        assert_eq!(describe_errors(&json!({})), None);
    }
}
