//! LiveKit, spoken to directly: its Twirp server API (`CreateRoom`), its access
//! tokens (HS256 JWTs signed with the API secret: `iss` the API key, `sub` the
//! participant's identity, a `video` grant) and its webhooks' signature (a JWT
//! in `Authorization` whose `sha256` claim is the base64 SHA-256 of the body).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lawos_core::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

use super::config::LiveKitConfig;

/// What a token lets its holder do (LiveKit's `VideoGrant`, camelCase).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoGrant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_create: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_join: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_publish: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_subscribe: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_publish_data: Option<bool>,
}

/// The claims of LiveKit's tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub nbf: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoGrant>,
    /// Webhooks: the base64 SHA-256 of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A join token and when it stops working.
#[derive(Debug, Clone)]
pub struct JoinToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A room as LiveKit answers it (the fields kept).
#[derive(Debug, Clone, Deserialize)]
pub struct Room {
    pub sid: String,
    pub name: String,
}

pub fn not_configured() -> ApiError {
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "Calls are not configured on this platform (LiveKit)",
    )
    .with_details(json!({ "reason": "LIVEKIT_NOT_CONFIGURED" }))
}

fn unavailable(cause: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(cause).with_details(json!({ "reason": "LIVEKIT_UNAVAILABLE" }))
}

fn bad_signature() -> ApiError {
    ApiError::new(
        ErrorCode::AuthTokenInvalid,
        "The LiveKit webhook signature is missing or wrong",
    )
}

#[derive(Clone)]
pub struct LiveKit {
    config: LiveKitConfig,
    http: reqwest::Client,
}

impl LiveKit {
    pub fn new(config: LiveKitConfig) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            config,
        }
    }

    pub fn signal_url(&self) -> &str {
        &self.config.signal_url
    }

    fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(self.config.api_secret.as_bytes()),
        )
        .map_err(ApiError::internal)
    }

    fn claims(&self, ttl: Duration, video: VideoGrant) -> Claims {
        let now = Utc::now().timestamp();
        Claims {
            iss: self.config.api_key.clone(),
            sub: None,
            name: None,
            nbf: now,
            exp: now + i64::try_from(ttl.as_secs()).unwrap_or(600),
            jti: Some(uuid::Uuid::now_v7().simple().to_string()),
            video: Some(video),
            sha256: None,
        }
    }

    /// A token for `identity` to join `room`; subscribe always, publish when allowed.
    pub fn join_token(
        &self,
        room: &str,
        identity: &str,
        can_publish: bool,
    ) -> Result<JoinToken, ApiError> {
        let mut claims = self.claims(
            self.config.token_ttl,
            VideoGrant {
                room_join: Some(true),
                room: Some(room.to_owned()),
                can_publish: Some(can_publish),
                can_subscribe: Some(true),
                can_publish_data: Some(can_publish),
                ..VideoGrant::default()
            },
        );
        claims.sub = Some(identity.to_owned());
        let expires_at = DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now);
        Ok(JoinToken {
            token: self.sign(&claims)?,
            expires_at,
        })
    }

    /// Creates room `name` (LiveKit closes it when it stays empty).
    #[tracing::instrument(skip(self, metadata))]
    pub async fn create_room(&self, name: &str, metadata: &str) -> Result<Room, ApiError> {
        let token = self.sign(&self.claims(
            Duration::from_secs(60),
            VideoGrant {
                room_create: Some(true),
                ..VideoGrant::default()
            },
        ))?;
        let url = format!("{}/twirp/livekit.RoomService/CreateRoom", self.config.url);
        let body = json!({
            "name": name,
            "empty_timeout": self.config.empty_timeout_secs,
            "metadata": metadata,
        });
        let res = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(unavailable)?;
        let status = res.status();
        if !status.is_success() {
            return Err(unavailable(format!("LiveKit CreateRoom answered {status}")));
        }
        res.json().await.map_err(unavailable)
    }

    /// Checks a webhook: the `Authorization` JWT (HS256 with the API secret,
    /// issued by the API key, in its validity) and its `sha256` of `body`.
    pub fn verify_webhook(&self, authorization: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
        let raw = authorization.ok_or_else(bad_signature)?.trim();
        let token = raw.strip_prefix("Bearer ").unwrap_or(raw);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.config.api_key]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.leeway = 10;
        let key = DecodingKey::from_secret(self.config.api_secret.as_bytes());
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|_| bad_signature())?
            .claims;
        let want = STANDARD.encode(Sha256::digest(body));
        match claims.sha256 {
            Some(got) if got == want => Ok(()),
            _ => Err(bad_signature()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn livekit() -> LiveKit {
        LiveKit::new(LiveKitConfig::for_tests(
            "http://127.0.0.1:1",
            "key",
            "secret",
        ))
    }

    fn signed(lk: &LiveKit, body: &[u8], secret: &str, exp_in: i64) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: "key".into(),
            sub: None,
            name: None,
            nbf: now - 5,
            exp: now + exp_in,
            jti: None,
            video: Some(VideoGrant::default()),
            sha256: Some(STANDARD.encode(Sha256::digest(body))),
        };
        let _ = lk;
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn webhooks_are_verified_by_key_secret_body_and_time() {
        let lk = livekit();
        let body = br#"{"event":"room_started"}"#;
        let good = signed(&lk, body, "secret", 300);
        assert!(lk.verify_webhook(Some(&good), body).is_ok());
        assert!(
            lk.verify_webhook(Some(&format!("Bearer {good}")), body)
                .is_ok()
        );
        assert!(
            lk.verify_webhook(Some(&good), br#"{"event":"room_finished"}"#)
                .is_err()
        );
        assert!(
            lk.verify_webhook(Some(&signed(&lk, body, "other", 300)), body)
                .is_err()
        );
        assert!(
            lk.verify_webhook(Some(&signed(&lk, body, "secret", -60)), body)
                .is_err()
        );
        assert!(lk.verify_webhook(None, body).is_err());
    }

    #[test]
    fn join_tokens_carry_the_room_and_identity() {
        let lk = livekit();
        let t = lk.join_token("room-1", "user-1", false).unwrap();
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&["key"]);
        v.validate_aud = false;
        let claims =
            jsonwebtoken::decode::<Claims>(&t.token, &DecodingKey::from_secret(b"secret"), &v)
                .unwrap()
                .claims;
        assert_eq!(claims.sub.as_deref(), Some("user-1"));
        let video = claims.video.unwrap();
        assert_eq!(video.room.as_deref(), Some("room-1"));
        assert_eq!(
            (video.room_join, video.can_publish),
            (Some(true), Some(false))
        );
        assert!(claims.exp - claims.nbf <= 600);
    }
}
