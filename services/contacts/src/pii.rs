//! Encryption of clients' PII (`ssn`, `dateOfBirth`) in the application:
//! AES-256-GCM, a fresh 96-bit nonce per value, the ciphertext bound (as
//! associated data) to the client id and field so it cannot be moved to another
//! row or column, and the key id stored beside it so a value is never opened
//! with the wrong key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use lawos_core::ApiError;
use rand::TryRngCore;
use uuid::Uuid;

const NONCE: usize = 12;

#[derive(Clone)]
pub struct PiiKey {
    id: String,
    cipher: Aes256Gcm,
}

/// A sealed value as stored: the ciphertext and the id of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub key_id: String,
}

fn aad(client: Uuid, field: &str) -> Vec<u8> {
    format!("lawos.contacts.clients:{client}:{field}").into_bytes()
}

impl PiiKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self {
            id,
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `nonce || ciphertext || tag` of `plaintext` for `client`'s `field`.
    pub fn seal(&self, client: Uuid, field: &str, plaintext: &str) -> Result<Sealed, ApiError> {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(ApiError::internal)?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad(client, field),
                },
            )
            .map_err(|_| ApiError::internal("PII encryption failed"))?;
        let mut ciphertext = nonce.to_vec();
        ciphertext.extend_from_slice(&sealed);
        Ok(Sealed {
            ciphertext,
            key_id: self.id.clone(),
        })
    }

    /// The plaintext of `sealed`; an error (500, detail in the log) when it was
    /// sealed with another key or has been tampered with.
    pub fn open(&self, client: Uuid, field: &str, sealed: &Sealed) -> Result<String, ApiError> {
        if sealed.key_id != self.id {
            return Err(ApiError::internal(format!(
                "{field} of client {client} is sealed with key {}, the configured key is {}",
                sealed.key_id, self.id
            )));
        }
        if sealed.ciphertext.len() < NONCE {
            return Err(ApiError::internal(format!(
                "{field} of client {client} is corrupt"
            )));
        }
        let (nonce, body) = sealed.ciphertext.split_at(NONCE);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad(client, field),
                },
            )
            .map_err(|_| ApiError::internal(format!("{field} of client {client} does not open")))?;
        String::from_utf8(plain).map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seals_and_opens_only_for_the_same_row_field_and_key() {
        let key = PiiKey::new("k1".into(), [7; 32]);
        let client = Uuid::now_v7();
        let sealed = key.seal(client, "ssn", "123-45-6789").unwrap();
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.ciphertext.windows(4).any(|w| w == b"6789"));
        assert_eq!(key.open(client, "ssn", &sealed).unwrap(), "123-45-6789");
        assert!(key.open(Uuid::now_v7(), "ssn", &sealed).is_err());
        assert!(key.open(client, "dateOfBirth", &sealed).is_err());
        let other = PiiKey::new("k2".into(), [7; 32]);
        assert!(other.open(client, "ssn", &sealed).is_err());
        let again = key.seal(client, "ssn", "123-45-6789").unwrap();
        assert_ne!(
            again.ciphertext, sealed.ciphertext,
            "a fresh nonce each time"
        );
    }
}
