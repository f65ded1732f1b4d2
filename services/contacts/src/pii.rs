//! Encryption of clients' PII (`ssn`, `dateOfBirth`) in the application:
//! AES-256-GCM, a fresh 96-bit nonce per value, the ciphertext bound (as
//! associated data) to the client id and field so it cannot be moved to another
//! row or column, and the key id stored beside it so a value is never opened
//! with the wrong key.

use lawos_core::ApiError;
use lawos_core::seal::SealingKey;
use uuid::Uuid;

#[derive(Clone)]
pub struct PiiKey(SealingKey);

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
        Self(SealingKey::new(id, key))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// `nonce || ciphertext || tag` of `plaintext` for `client`'s `field`.
    pub fn seal(&self, client: Uuid, field: &str, plaintext: &str) -> Result<Sealed, ApiError> {
        let ciphertext = self
            .0
            .seal(plaintext.as_bytes(), &aad(client, field))
            .map_err(|e| ApiError::internal(format!("PII encryption failed: {e}")))?;
        Ok(Sealed {
            ciphertext,
            key_id: self.0.id().to_owned(),
        })
    }

    /// The plaintext of `sealed`; an error (500, detail in the log) when it was
    /// sealed with another key or has been tampered with.
    pub fn open(&self, client: Uuid, field: &str, sealed: &Sealed) -> Result<String, ApiError> {
        let plain = self
            .0
            .open(&sealed.ciphertext, &sealed.key_id, &aad(client, field))
            .map_err(|e| ApiError::internal(format!("{field} of client {client}: {e}")))?;
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
