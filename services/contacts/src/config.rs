//! The contacts service's own settings, read once at start. A bad value stops
//! the service with a message naming the setting.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_PII_KEY` | development key (logs a warning) | base64 of the 32-byte AES-256-GCM key sealing clients' `ssn` and `dateOfBirth` |
//! | `LAWOS_PII_KEY_ID` | `k1` | the id stored beside each ciphertext (rotate by giving a new id with a new key) |
//! | `LAWOS_DEFAULT_CALLING_CODE` | `1` | country calling code given to national phone numbers (no `+`/`00`) when normalising to E.164 |

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lawos_core::config::{ConfigError, var_or};

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
        let key_id = var_or("LAWOS_PII_KEY_ID", "k1");
        if key_id.is_empty() || key_id.len() > 32 || !key_id.chars().all(|c| c.is_ascii_graphic()) {
            return Err(invalid(
                "LAWOS_PII_KEY_ID",
                &key_id,
                "must be 1–32 visible ASCII characters",
            ));
        }
        let raw = var_or("LAWOS_PII_KEY", "");
        let key = if raw.is_empty() {
            tracing::warn!(
                "LAWOS_PII_KEY is not set: using the development key; set it in production"
            );
            DEVELOPMENT_PII_KEY
        } else {
            let bytes = STANDARD
                .decode(raw.trim())
                .map_err(|_| invalid("LAWOS_PII_KEY", "<hidden>", "must be base64"))?;
            <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| invalid("LAWOS_PII_KEY", "<hidden>", "must decode to 32 bytes"))?
        };
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
