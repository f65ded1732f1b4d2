//! Webhook deliveries signed by Telnyx: the base64 Ed25519 signature in
//! `telnyx-signature-ed25519` over `"{telnyx-timestamp}|{raw body}"`, checked
//! with the account's public key (base64 of its 32 bytes), the timestamp (unix
//! seconds) within a tolerance of now in either direction, so a captured
//! delivery cannot be replayed later.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "telnyx-timestamp";

/// The account's webhook public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", STANDARD.encode(self.0.as_bytes()))
    }
}

impl PublicKey {
    /// The key as Telnyx shows it: base64 of its 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|e| format!("not base64: {e}"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("{} bytes, an Ed25519 key has 32", b.len()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| format!("not an Ed25519 public key: {e}"))
    }

    /// The public key of the signing key `secret` (the sender's side: tests, stand-ins).
    pub fn of_secret(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret).verifying_key())
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }
}

/// Why a delivery is refused (each is a 401: nothing of it is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the telnyx-signature-ed25519 or telnyx-timestamp header is missing")]
    Missing,
    #[error("the signature or timestamp is malformed")]
    Malformed,
    #[error("the timestamp is outside the accepted tolerance")]
    Stale,
    #[error("the signature does not match the body")]
    Invalid,
}

/// [`verify_at`] now.
pub fn verify(
    signature_b64: &str,
    timestamp: &str,
    raw_body: &[u8],
    public_key: &PublicKey,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    verify_at(
        signature_b64,
        timestamp,
        raw_body,
        public_key,
        tolerance,
        chrono::Utc::now().timestamp(),
    )
}

/// Checks a delivery's signature and that its `timestamp` is within
/// `tolerance` of `now` (unix seconds).
pub fn verify_at(
    signature_b64: &str,
    timestamp: &str,
    raw_body: &[u8],
    public_key: &PublicKey,
    tolerance: Duration,
    now: i64,
) -> Result<(), SignatureError> {
    let (signature_b64, timestamp) = (signature_b64.trim(), timestamp.trim());
    if signature_b64.is_empty() || timestamp.is_empty() {
        return Err(SignatureError::Missing);
    }
    let at: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    let signature = STANDARD
        .decode(signature_b64)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(SignatureError::Malformed)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.abs_diff(at) > tolerance.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + raw_body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'|');
    signed.extend_from_slice(raw_body);
    public_key
        .0
        .verify(&signed, &signature)
        .map_err(|_| SignatureError::Invalid)
}

/// The signature Telnyx would send for `raw_body` at `timestamp` with the
/// signing key `secret` (the sender's side: tests, stand-ins).
pub fn sign(secret: &[u8; 32], timestamp: &str, raw_body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + raw_body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'|');
    signed.extend_from_slice(raw_body);
    STANDARD.encode(SigningKey::from_bytes(secret).sign(&signed).to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7; 32];
    const NOW: i64 = 1_767_225_600;
    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    fn key() -> PublicKey {
        PublicKey::from_base64(&PublicKey::of_secret(&SECRET).to_base64()).unwrap()
    }

    #[test]
    fn a_signed_body_verifies_and_any_change_is_refused() {
        let body = br#"{"data":{"event_type":"message.received"}}"#;
        let ts = NOW.to_string();
        let sig = sign(&SECRET, &ts, body);
        assert_eq!(
            verify_at(&sig, &ts, body, &key(), FIVE_MINUTES, NOW),
            Ok(())
        );
        let tampered = br#"{"data":{"event_type":"message.receivex"}}"#;
        assert_eq!(
            verify_at(&sig, &ts, tampered, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Invalid)
        );
        // The timestamp is part of what is signed.
        let other_ts = (NOW + 1).to_string();
        assert_eq!(
            verify_at(&sig, &other_ts, body, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Invalid)
        );
        let stranger = PublicKey::of_secret(&[8; 32]);
        assert_eq!(
            verify_at(&sig, &ts, body, &stranger, FIVE_MINUTES, NOW),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn stale_missing_and_malformed_deliveries_are_refused() {
        let body = b"{}";
        let old = (NOW - 301).to_string();
        let sig = sign(&SECRET, &old, body);
        assert_eq!(
            verify_at(&sig, &old, body, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Stale)
        );
        let future = (NOW + 301).to_string();
        let sig = sign(&SECRET, &future, body);
        assert_eq!(
            verify_at(&sig, &future, body, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Stale)
        );
        let edge = (NOW - 300).to_string();
        let sig = sign(&SECRET, &edge, body);
        assert_eq!(
            verify_at(&sig, &edge, body, &key(), FIVE_MINUTES, NOW),
            Ok(())
        );
        let ts = NOW.to_string();
        assert_eq!(
            verify_at("", &ts, body, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_at("bm90LWEtc2lnbmF0dXJl", &ts, body, &key(), FIVE_MINUTES, NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_at(
                &sign(&SECRET, &ts, body),
                "yesterday",
                body,
                &key(),
                FIVE_MINUTES,
                NOW
            ),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn public_keys_are_32_bytes_of_base64() {
        assert!(PublicKey::from_base64("not base64!").is_err());
        assert!(PublicKey::from_base64("AAAA").is_err());
        let k = PublicKey::of_secret(&SECRET);
        assert_eq!(PublicKey::from_base64(&k.to_base64()), Ok(k));
    }
}
