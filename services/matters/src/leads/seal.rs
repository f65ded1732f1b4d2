//! Page access tokens sealed at rest: AES-256-GCM, a fresh 96-bit nonce per
//! value, the ciphertext bound (as associated data) to its page mapping so it
//! cannot be moved to another row, the key id stored beside it.

use lawos_core::ApiError;
use lawos_core::seal::SealingKey;
use uuid::Uuid;

#[derive(Clone)]
pub struct TokenKey(SealingKey);

fn aad(mapping: Uuid) -> Vec<u8> {
    format!("lawos.matters.meta_pages:{mapping}:access_token").into_bytes()
}

impl TokenKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self(SealingKey::new(id, key))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// `nonce || ciphertext || tag` of `token` for the mapping `mapping`.
    pub fn seal(&self, mapping: Uuid, token: &str) -> Result<Vec<u8>, ApiError> {
        self.0
            .seal(token.as_bytes(), &aad(mapping))
            .map_err(|e| ApiError::internal(format!("the page token could not be sealed: {e}")))
    }

    /// The token sealed for `mapping` with the key `key_id`.
    pub fn open(&self, mapping: Uuid, key_id: &str, sealed: &[u8]) -> Result<String, ApiError> {
        let plain = self
            .0
            .open(sealed, key_id, &aad(mapping))
            .map_err(|e| ApiError::internal(format!("the token of page mapping {mapping}: {e}")))?;
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
