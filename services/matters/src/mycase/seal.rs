//! A connection's OAuth secrets sealed at rest: AES-256-GCM over the JSON
//! `{clientSecret, refreshToken}`, bound (associated data) to the connection so
//! it cannot be moved to another firm's row, the key id stored beside it.

use lawos_core::ApiError;
use lawos_core::seal::SealingKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a connection keeps secret.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Secrets {
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .finish()
    }
}

#[derive(Clone)]
pub struct SecretKey(SealingKey);

fn aad(connection: Uuid) -> Vec<u8> {
    format!("lawos.matters.mycase_credentials:{connection}:secrets").into_bytes()
}

impl SecretKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self(SealingKey::new(id, key))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// `nonce || ciphertext || tag` of `secrets` for `connection`.
    pub fn seal(&self, connection: Uuid, secrets: &Secrets) -> Result<Vec<u8>, ApiError> {
        let plain = serde_json::to_vec(secrets).map_err(ApiError::internal)?;
        self.0
            .seal(&plain, &aad(connection))
            .map_err(|e| ApiError::internal(format!("the MyCase secrets could not be sealed: {e}")))
    }

    /// The secrets sealed for `connection` with the key `key_id`.
    pub fn open(&self, connection: Uuid, key_id: &str, sealed: &[u8]) -> Result<Secrets, ApiError> {
        let plain = self.0.open(sealed, key_id, &aad(connection)).map_err(|e| {
            ApiError::internal(format!("the secrets of connection {connection}: {e}"))
        })?;
        serde_json::from_slice(&plain).map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn opens_only_for_the_same_connection_and_key() {
        let key = SecretKey::new("k1".into(), [5; 32]);
        let connection = Uuid::now_v7();
        let secrets = Secrets {
            client_secret: Some("cs-very-secret".into()),
            refresh_token: Some("rt-1".into()),
        };
        let sealed = key.seal(connection, &secrets).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(key.open(connection, "k1", &sealed).unwrap(), secrets);
        assert!(key.open(Uuid::now_v7(), "k1", &sealed).is_err());
        assert!(key.open(connection, "k2", &sealed).is_err());
        assert!(!format!("{secrets:?}").contains("rt-1"));
    }
}
