//! The service's cryptography: the master key sealing signing keys at rest
//! (AES-256-GCM, key id stored with the ciphertext), argon2id password and
//! secret hashing, and opaque random tokens stored as SHA-256.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lawos_core::seal::{SealError, SealingKey};
use rand::TryRngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no randomness available: {0}")]
    Random(String),
    #[error("sealed with master key {found}, but the configured master key is {expected}")]
    WrongMasterKey { found: String, expected: String },
    #[error("the sealed value is corrupt or was sealed for another key")]
    Unseal,
    #[error("sealing failed")]
    Seal,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Fills `N` bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| CryptoError::Random(e.to_string()))?;
    Ok(bytes)
}

/// The AES-256-GCM key that encrypts signing keys at rest. Its id (a hash of
/// the key, which reveals nothing of it) is stored with each ciphertext, so a
/// ciphertext is never opened with the wrong key.
#[derive(Clone)]
pub struct MasterKey(SealingKey);

impl MasterKey {
    pub fn new(key: [u8; 32]) -> Self {
        let digest = Sha256::digest(
            b"lawos-master-key-id:"
                .iter()
                .chain(&key)
                .copied()
                .collect::<Vec<u8>>(),
        );
        Self(SealingKey::new(format!("mk-{}", hex(&digest[..6])), key))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// `nonce (12 bytes) || ciphertext || tag`, bound to `context` (e.g. the kid).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>, CryptoError> {
        self.0
            .seal(plaintext, context.as_bytes())
            .map_err(Into::into)
    }

    /// Opens what [`seal`](Self::seal) produced under the key `key_id`.
    pub fn open(&self, sealed: &[u8], key_id: &str, context: &str) -> Result<Vec<u8>, CryptoError> {
        self.0
            .open(sealed, key_id, context.as_bytes())
            .map_err(Into::into)
    }
}

impl From<SealError> for CryptoError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::Random => Self::Random(e.to_string()),
            SealError::Seal => Self::Seal,
            SealError::WrongKey { found, expected } => Self::WrongMasterKey { found, expected },
            SealError::Unseal => Self::Unseal,
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id PHC string of `secret` (argon2 defaults: 19 MiB, 2 passes).
pub fn hash_secret(secret: &str) -> Result<String, CryptoError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| CryptoError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CryptoError::Hash(e.to_string()))
}

/// Whether `secret` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against a fixed hash so that an unknown user costs as much time as
/// a known one with a wrong password.
pub fn burn_verification(secret: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_secret("lawos-dummy-password").ok()) {
        let _ = verify_secret(secret, hash);
    }
}

/// A new opaque token (256 random bits, base64url) with an optional prefix.
pub fn opaque_token(prefix: &str) -> Result<String, CryptoError> {
    Ok(format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)
    ))
}

/// How opaque tokens are stored: SHA-256 of the token text.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_with_the_same_key_and_context() {
        let key = MasterKey::new([7; 32]);
        let sealed = key.seal(b"private", "kid-1").unwrap();
        assert_eq!(key.open(&sealed, key.id(), "kid-1").unwrap(), b"private");
        assert!(matches!(
            key.open(&sealed, key.id(), "kid-2"),
            Err(CryptoError::Unseal)
        ));
        let other = MasterKey::new([8; 32]);
        assert_ne!(other.id(), key.id());
        assert!(matches!(
            other.open(&sealed, key.id(), "kid-1"),
            Err(CryptoError::WrongMasterKey { .. })
        ));
        assert!(matches!(
            other.open(&sealed, other.id(), "kid-1"),
            Err(CryptoError::Unseal)
        ));
    }

    #[test]
    fn hashes_with_argon2id() {
        let hash = hash_secret("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_secret("correct horse", &hash));
        assert!(!verify_secret("wrong horse", &hash));
        assert!(!verify_secret("correct horse", "not-a-hash"));
    }

    #[test]
    fn opaque_tokens_are_random_and_hash_to_32_bytes() {
        let a = opaque_token("rt_").unwrap();
        assert!(a.starts_with("rt_") && a.len() > 40);
        assert_ne!(a, opaque_token("rt_").unwrap());
        assert_eq!(token_hash(&a).len(), 32);
    }
}
