//! Meta lead ads: the webhook's signature, its `leadgen` changes, and the
//! Graph API call that fetches a lead's answers.
//!
//! `X-Hub-Signature-256` is `sha256=` + the hex HMAC-SHA256 of the raw body
//! under the app secret, compared in constant time (`Mac::verify_slice`).
//! Each change is `entry[].changes[]` with `field = "leadgen"` and
//! `value = {leadgen_id, page_id, form_id, …}`; the lead itself is
//! `GET {graph}/{leadgen_id}?access_token=…` answering `{field_data: [{name, values}]}`.

use hmac::{Hmac, KeyInit, Mac};
use lawos_core::{ApiError, ErrorCode};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;

use super::keys::unhex;

pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Checks `header` against `body`: 401 `AUTH_TOKEN_MISSING` without it, 401
/// `AUTH_TOKEN_INVALID` when malformed or wrong.
pub fn verify_signature(secret: &str, header: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
    let details = serde_json::json!({ "header": "X-Hub-Signature-256" });
    let Some(header) = header else {
        return Err(ApiError::new(
            ErrorCode::AuthTokenMissing,
            "The X-Hub-Signature-256 header is missing",
        )
        .with_details(details));
    };
    let invalid = || {
        ApiError::new(
            ErrorCode::AuthTokenInvalid,
            "The X-Hub-Signature-256 signature does not match the body",
        )
        .with_details(details.clone())
    };
    let given = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(unhex)
        .ok_or_else(invalid)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(ApiError::internal)?;
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| invalid())
}

/// The signature header of `body` under `secret` (for Meta's side in tests and tools).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", super::keys::hex(&mac.finalize().into_bytes()))
}

/// One `leadgen` change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadgenChange {
    pub leadgen_id: String,
    pub page_id: String,
    pub form_id: Option<String>,
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s)
            if !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_digit()) =>
        {
            Some(s.clone())
        }
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// The `leadgen` changes of a notification (others, and malformed ones, skipped).
pub fn leadgen_changes(payload: &Value) -> Vec<LeadgenChange> {
    let mut out = Vec::new();
    for entry in payload["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            if change["field"] != "leadgen" {
                continue;
            }
            let value = &change["value"];
            let page = id_of(&value["page_id"]).or_else(|| id_of(&entry["id"]));
            if let (Some(leadgen_id), Some(page_id)) = (id_of(&value["leadgen_id"]), page) {
                out.push(LeadgenChange {
                    leadgen_id,
                    page_id,
                    form_id: id_of(&value["form_id"]),
                });
            }
        }
    }
    out
}

/// Why a Graph fetch failed: worth retrying or not.
#[derive(Debug)]
pub enum GraphError {
    Retry(String),
    Fatal(String),
}

#[derive(Clone)]
pub struct GraphClient {
    base_url: String,
    http: reqwest::Client,
}

impl GraphClient {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    /// The lead's `field_data`.
    #[tracing::instrument(skip(self, access_token))]
    pub async fn lead_fields(
        &self,
        leadgen_id: &str,
        access_token: &str,
    ) -> Result<Vec<Value>, GraphError> {
        let res = self
            .http
            .get(format!("{}/{leadgen_id}", self.base_url))
            .query(&[("access_token", access_token)])
            .send()
            .await
            .map_err(|e| {
                GraphError::Retry(format!("Graph API unreachable: {}", e.without_url()))
            })?;
        let status = res.status();
        if !status.is_success() {
            // 5xx and 429 pass; a 4xx (an expired token, say) may pass once the
            // page's token is replaced, so every failure is retried until the
            // attempts run out.
            return Err(GraphError::Retry(format!("Graph API answered {status}")));
        }
        let body: Value = res
            .json()
            .await
            .map_err(|e| GraphError::Retry(format!("Graph API body: {e}")))?;
        body["field_data"]
            .as_array()
            .cloned()
            .ok_or_else(|| GraphError::Fatal("the Graph lead has no field_data".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn signatures_are_checked_exactly() {
        let body = br#"{"object":"page"}"#;
        let good = sign("s3cret", body);
        assert!(verify_signature("s3cret", Some(&good), body).is_ok());
        assert_eq!(
            verify_signature("s3cret", None, body).unwrap_err().code,
            ErrorCode::AuthTokenMissing
        );
        for bad in [
            sign("other", body),
            good.replace("sha256=", "sha1="),
            "sha256=zz".to_owned(),
            format!("{good}00"),
        ] {
            assert_eq!(
                verify_signature("s3cret", Some(&bad), body)
                    .unwrap_err()
                    .code,
                ErrorCode::AuthTokenInvalid,
                "{bad}"
            );
        }
        assert!(verify_signature("s3cret", Some(&good), b"{}").is_err());
    }

    #[test]
    fn only_leadgen_changes_are_taken() {
        let payload = json!({ "object": "page", "entry": [{ "id": "42", "changes": [
            { "field": "leadgen", "value": { "leadgen_id": "100", "page_id": "42", "form_id": "7" } },
            { "field": "feed", "value": { "post_id": "1" } },
            { "field": "leadgen", "value": { "leadgen_id": 101 } },
            { "field": "leadgen", "value": { "leadgen_id": "x1", "page_id": "42" } }
        ]}]});
        assert_eq!(
            leadgen_changes(&payload),
            [
                LeadgenChange {
                    leadgen_id: "100".into(),
                    page_id: "42".into(),
                    form_id: Some("7".into())
                },
                LeadgenChange {
                    leadgen_id: "101".into(),
                    page_id: "42".into(),
                    form_id: None
                },
            ]
        );
    }
}
