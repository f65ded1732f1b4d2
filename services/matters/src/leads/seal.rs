//! Page access tokens sealed at rest: AES-256-GCM, a fresh 96-bit nonce per
//! value, the ciphertext bound (as associated data) to its page mapping so it
//! cannot be moved to another row, the key id stored beside it.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use lawos_core::ApiError;
use rand::TryRngCore;
use uuid::Uuid;

const NONCE: usize = 12;

#[derive(Clone)]
pub struct TokenKey {
    id: String,
    cipher: Aes256Gcm,
}

fn aad(mapping: Uuid) -> Vec<u8> {
    format!("lawos.matters.meta_pages:{mapping}:access_token").into_bytes()
}

impl TokenKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self {
            id,
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `nonce || ciphertext || tag` of `token` for the mapping `mapping`.
    pub fn seal(&self, mapping: Uuid, token: &str) -> Result<Vec<u8>, ApiError> {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(ApiError::internal)?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: token.as_bytes(),
                    aad: &aad(mapping),
                },
            )
            .map_err(|_| ApiError::internal("the page token could not be sealed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The token sealed for `mapping` with the key `key_id`.
    pub fn open(&self, mapping: Uuid, key_id: &str, sealed: &[u8]) -> Result<String, ApiError> {
        if key_id != self.id {
            return Err(ApiError::internal(format!(
                "the token of page mapping {mapping} is sealed with key {key_id}, the configured key is {}",
                self.id
            )));
        }
        if sealed.len() < NONCE {
            return Err(ApiError::internal(format!(
                "the token of page mapping {mapping} is corrupt"
            )));
        }
        let (nonce, body) = sealed.split_at(NONCE);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad(mapping),
                },
            )
            .map_err(|_| {
                ApiError::internal(format!("the token of page mapping {mapping} does not open"))
            })?;
        String::from_utf8(plain).map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn opens_only_for_the_same_mapping_and_key() {
        let key = TokenKey::new("k1".into(), [3; 32]);
        let mapping = Uuid::now_v7();
        let sealed = key.seal(mapping, "EAAB-page-token").unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"page"));
        assert_eq!(key.open(mapping, "k1", &sealed).unwrap(), "EAAB-page-token");
        assert!(key.open(Uuid::now_v7(), "k1", &sealed).is_err());
        assert!(key.open(mapping, "k2", &sealed).is_err());
    }
}
