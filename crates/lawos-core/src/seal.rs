//! Values sealed at rest in the application (clients' PII, Meta page tokens,
//! signing keys): AES-256-GCM, a fresh 96-bit nonce per value, the ciphertext
//! bound to associated data naming where it lives (row, column) so it cannot
//! be moved, and the key id stored beside it so it is never opened with the
//! wrong key. Stored form: `nonce (12) || ciphertext || tag (16)`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::TryRngCore;

use crate::config::{ConfigError, var_or};

const NONCE: usize = 12;
const TAG: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("no random nonce could be drawn")]
    Random,
    #[error("the value could not be sealed")]
    Seal,
    #[error("sealed with key {found}, the configured key is {expected}")]
    WrongKey { found: String, expected: String },
    #[error("the sealed value is corrupt or was moved")]
    Unseal,
}

/// One AES-256-GCM key and the id stored beside what it seals.
#[derive(Clone)]
pub struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

impl SealingKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self {
            id,
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| SealError::Random)?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| SealError::Seal)?;
        Ok(nonce.iter().copied().chain(sealed).collect())
    }

    /// Opens what [`seal`](Self::seal) produced with the key `key_id` for `aad`.
    pub fn open(&self, sealed: &[u8], key_id: &str, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        if key_id != self.id {
            return Err(SealError::WrongKey {
                found: key_id.to_owned(),
                expected: self.id.clone(),
            });
        }
        if sealed.len() < NONCE + TAG {
            return Err(SealError::Unseal);
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| SealError::Unseal)
    }
}

/// The 32-byte key in `var` (base64); unset, `development`, with a warning.
pub fn key_from_env(var: &str, development: [u8; 32]) -> Result<[u8; 32], ConfigError> {
    let raw = var_or(var, "");
    if raw.is_empty() {
        tracing::warn!("{var} is not set: using the development key; set it in production");
        return Ok(development);
    }
    let invalid = |reason: &str| ConfigError::Invalid {
        name: var.to_owned(),
        value: "<hidden>".to_owned(),
        reason: reason.to_owned(),
    };
    let bytes = STANDARD
        .decode(raw.trim())
        .map_err(|_| invalid("must be base64"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| invalid("must decode to 32 bytes"))
}

/// The key id in `var` (default `k1`): 1–32 visible ASCII characters.
pub fn key_id_from_env(var: &str) -> Result<String, ConfigError> {
    let id = var_or(var, "k1");
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ConfigError::Invalid {
            name: var.to_owned(),
            value: id,
            reason: "must be 1–32 visible ASCII characters".to_owned(),
        });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn opens_only_with_the_same_key_id_and_associated_data() {
        let key = SealingKey::new("k1".into(), [7; 32]);
        let sealed = key.seal(b"123-45-6789", b"row-1:ssn").unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"6789"));
        assert_eq!(
            key.open(&sealed, "k1", b"row-1:ssn").unwrap(),
            b"123-45-6789"
        );
        assert_eq!(
            key.open(&sealed, "k1", b"row-2:ssn"),
            Err(SealError::Unseal)
        );
        assert!(matches!(
            key.open(&sealed, "k2", b"row-1:ssn"),
            Err(SealError::WrongKey { .. })
        ));
        let other = SealingKey::new("k1".into(), [8; 32]);
        assert_eq!(
            other.open(&sealed, "k1", b"row-1:ssn"),
            Err(SealError::Unseal)
        );
        assert_eq!(
            key.open(&sealed[..20], "k1", b"row-1:ssn"),
            Err(SealError::Unseal)
        );
        assert_ne!(
            key.seal(b"123-45-6789", b"row-1:ssn").unwrap(),
            sealed,
            "a fresh nonce"
        );
    }
}
