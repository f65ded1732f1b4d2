//! The auth service's own settings, read from the environment at start. Each is
//! documented once here with its default; a bad value stops the service naming it.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LAWOS_AUTH_MASTER_KEY` | a development key (warned about) | base64 of 32 bytes: the AES-256-GCM key encrypting signing keys at rest |
//! | `LAWOS_AUTH_KEY_PUBLISH_AHEAD_SECS` | 60 | how long a new signing key is published before it signs (≥ 45: the validators' 30 s JWKS refetch interval + the JWKS' 15 s max-age) |
//! | `LAWOS_AUTH_ACCESS_TTL_SECS` | 900 | access-token lifetime |
//! | `LAWOS_AUTH_REFRESH_TTL_SECS` | 2592000 (30 days) | lifetime of each refresh token (rotated on every use) |
//! | `LAWOS_ADMIN_EMAIL` | `admin@lawos.local` | the system administrator created on an empty database |
//! | `LAWOS_ADMIN_PASSWORD` | `lawos-admin-dev` (warned about) | their password |
//! | `LAWOS_AUTH_CREDENTIAL_EXPIRY_INTERVAL_SECS` | 86400 (daily) | how often the job announcing lawyer credentials expiring within 30 days runs |
//!
//! The issuer (`iss`) and audience are the platform's `LAWOS_JWT_ISSUER` and
//! `LAWOS_JWT_AUDIENCE`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lawos_core::config::{ConfigError, parse_or, var_or};

use crate::crypto::MasterKey;

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@lawos.local";
pub const DEFAULT_ADMIN_PASSWORD: &str = "lawos-admin-dev";
/// The development master key: 32 bytes everyone knows. Never use it in production.
const DEV_MASTER_KEY: [u8; 32] = *b"lawos-development-master-key-32b";
/// Validators refetch a JWKS at most every 30 s (lawos-auth); a key must be
/// published at least that long (plus how long the JWKS may be cached) before it signs.
pub const MIN_PUBLISH_AHEAD: Duration = Duration::from_secs(30 + JWKS_MAX_AGE_SECS);
/// `Cache-Control: max-age` of the JWKS document.
pub const JWKS_MAX_AGE_SECS: u64 = 15;

#[derive(Clone)]
pub struct AuthConfig {
    pub master_key: MasterKey,
    pub publish_ahead: Duration,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub admin_email: String,
    pub admin_password: String,
    /// Whether the administrator credentials are the defaults (logged at bootstrap).
    pub admin_defaults: bool,
    /// Interval of the credential expiry job.
    pub credential_expiry_interval: Duration,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("master_key_id", &self.master_key.id())
            .field("publish_ahead", &self.publish_ahead)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("admin_email", &self.admin_email)
            .finish_non_exhaustive()
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// `LAWOS_AUTH_CREDENTIAL_EXPIRY_INTERVAL_SECS` (positive; default daily).
pub fn credential_expiry_interval() -> Result<Duration, ConfigError> {
    let interval = Duration::from_secs(parse_or(
        "LAWOS_AUTH_CREDENTIAL_EXPIRY_INTERVAL_SECS",
        24 * 3600u64,
    )?);
    if interval.is_zero() {
        return Err(invalid(
            "LAWOS_AUTH_CREDENTIAL_EXPIRY_INTERVAL_SECS",
            "0",
            "must be positive",
        ));
    }
    Ok(interval)
}

impl AuthConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let raw = var_or("LAWOS_AUTH_MASTER_KEY", "");
        let master_key = if raw.is_empty() {
            tracing::warn!(
                "LAWOS_AUTH_MASTER_KEY is not set: signing keys are encrypted with the \
                 DEVELOPMENT master key; set it (base64 of 32 random bytes) in production"
            );
            MasterKey::new(DEV_MASTER_KEY)
        } else {
            let bytes = STANDARD
                .decode(raw.trim())
                .map_err(|_| invalid("LAWOS_AUTH_MASTER_KEY", "<hidden>", "not base64"))?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| {
                invalid(
                    "LAWOS_AUTH_MASTER_KEY",
                    "<hidden>",
                    "must decode to exactly 32 bytes",
                )
            })?;
            MasterKey::new(key)
        };
        let publish_ahead =
            Duration::from_secs(parse_or("LAWOS_AUTH_KEY_PUBLISH_AHEAD_SECS", 60u64)?);
        if publish_ahead < MIN_PUBLISH_AHEAD {
            return Err(invalid(
                "LAWOS_AUTH_KEY_PUBLISH_AHEAD_SECS",
                &publish_ahead.as_secs().to_string(),
                "must be at least 45 (the validators' 30 s JWKS refetch interval + the JWKS' 15 s max-age)",
            ));
        }
        let access_ttl = Duration::from_secs(parse_or("LAWOS_AUTH_ACCESS_TTL_SECS", 900u64)?);
        let refresh_ttl =
            Duration::from_secs(parse_or("LAWOS_AUTH_REFRESH_TTL_SECS", 30 * 24 * 3600u64)?);
        if access_ttl.is_zero() || refresh_ttl.is_zero() {
            return Err(invalid(
                "LAWOS_AUTH_ACCESS_TTL_SECS",
                "0",
                "token lifetimes must be positive",
            ));
        }
        let admin_email = var_or("LAWOS_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
            .trim()
            .to_lowercase();
        if !lawos_core::validation::is_email(&admin_email) {
            return Err(invalid(
                "LAWOS_ADMIN_EMAIL",
                &admin_email,
                "not an e-mail address",
            ));
        }
        let admin_password = var_or("LAWOS_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD);
        if admin_password.chars().count() < 8 {
            return Err(invalid(
                "LAWOS_ADMIN_PASSWORD",
                "<hidden>",
                "must be at least 8 characters",
            ));
        }
        let credential_expiry_interval = credential_expiry_interval()?;
        let admin_defaults = std::env::var("LAWOS_ADMIN_EMAIL").is_err()
            || std::env::var("LAWOS_ADMIN_PASSWORD").is_err();
        Ok(Self {
            master_key,
            publish_ahead,
            access_ttl,
            refresh_ttl,
            admin_email,
            admin_password,
            admin_defaults,
            credential_expiry_interval,
        })
    }
}
