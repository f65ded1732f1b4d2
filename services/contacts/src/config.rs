//! The contacts service's own settings, read once at start. A bad value stops
//! the service with a message naming the setting.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_PII_KEY` | development key (logs a warning) | base64 of the 32-byte AES-256-GCM key sealing clients' `ssn` and `dateOfBirth` |
//! | `LAWOS_PII_KEY_ID` | `k1` | the id stored beside each ciphertext (rotate by giving a new id with a new key) |
//! | `LAWOS_DEFAULT_CALLING_CODE` | `1` | country calling code given to national phone numbers (no `+`/`00`) when normalising to E.164 |

use lawos_core::config::{ConfigError, var_or};
use lawos_core::seal;

use crate::pii::PiiKey;

/// Used only when `LAWOS_PII_KEY` is unset: never in production.
const DEVELOPMENT_PII_KEY: [u8; 32] = *b"lawos-development-pii-key-32-byt";

#[derive(Clone)]
pub struct ContactsConfig {
    pub pii: PiiKey,
    pub calling_code: String,
}

impl ContactsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let key_id = seal::key_id_from_env("LAWOS_PII_KEY_ID")?;
        let key = seal::key_from_env("LAWOS_PII_KEY", DEVELOPMENT_PII_KEY)?;
        let calling_code = var_or("LAWOS_DEFAULT_CALLING_CODE", "1");
        if calling_code.is_empty()
            || calling_code.len() > 3
            || !calling_code.chars().all(|c| c.is_ascii_digit())
            || calling_code.starts_with('0')
        {
            return Err(invalid(
                "LAWOS_DEFAULT_CALLING_CODE",
                &calling_code,
                "must be a country calling code of 1–3 digits, e.g. 1 or 44",
            ));
        }
        Ok(Self {
            pii: PiiKey::new(key_id, key),
            calling_code,
        })
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}
