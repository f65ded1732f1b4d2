//! Lead form keys and dedupe keys.
//!
//! A form key (`lf_` + 32 random bytes, base64url) sits in a firm's public web
//! page, so it is no secret from visitors; it is still a capability to create
//! matters in the firm, so only its SHA-256 is stored (a leaked table reveals no
//! usable key) and it is shown once, when the form is created. A disabled form
//! stops its key at once; rotating is disabling and creating another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lawos_core::ApiError;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "lf_";
const HINT: usize = 8;

/// A new key and its hint (its first characters).
pub fn new_form_key() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(ApiError::internal)?;
    let key = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hint = key.chars().take(HINT).collect();
    Ok((key, hint))
}

/// What is stored of a key.
pub fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.trim().as_bytes()).to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `None` unless `s` is an even-length hex string.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// The dedupe key of a lead: where it came in and who sent it (e-mail, else
/// phone digits), hashed so the table holds no address.
pub fn dedupe_key(origin: &str, email: Option<&str>, phone: Option<&str>) -> String {
    let who = match (email, phone) {
        (Some(e), _) => format!("email:{e}"),
        (None, Some(p)) => format!(
            "phone:{}",
            p.chars().filter(char::is_ascii_digit).collect::<String>()
        ),
        (None, None) => "none".to_owned(),
    };
    hex(&Sha256::digest(format!("{origin}|{who}").as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_are_fresh_and_hashed() {
        let (a, hint) = new_form_key().unwrap();
        let (b, _) = new_form_key().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("lf_") && a.starts_with(&hint));
        assert_eq!(key_hash(&a).len(), 32);
        assert_eq!(unhex(&hex(&key_hash(&a))).unwrap(), key_hash(&a));
        assert!(unhex("abc").is_none() && unhex("zz").is_none());
    }

    #[test]
    fn dedupe_keys_ignore_phone_formatting() {
        assert_eq!(
            dedupe_key("f", None, Some("+1 (555) 010-2030")),
            dedupe_key("f", None, Some("+15550102030"))
        );
        assert_ne!(
            dedupe_key("f", Some("a@x.io"), None),
            dedupe_key("g", Some("a@x.io"), None)
        );
    }
}
