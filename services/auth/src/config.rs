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
//! | `LAWOS_LOGTO_ENDPOINT` | unset (bridge off) | base URL of the Logto tenant (`https://<tenant>.logto.app`); with the two below it turns the Logto bridge on |
//! | `LAWOS_LOGTO_M2M_CLIENT_ID` | unset | client id of the Logto machine-to-machine application allowed to call the Management API |
//! | `LAWOS_LOGTO_M2M_CLIENT_SECRET` | unset | its secret |
//! | `LAWOS_LOGTO_MANAGEMENT_RESOURCE` | `https://default.logto.app/api` | the Management API's resource indicator (`https://<tenant>.logto.app/api` on Logto Cloud) |
//! | `LAWOS_LOGTO_TIMEOUT_SECS` | 10 | timeout of each Management API call |
//!
//! The SSO identity providers (`LAWOS_SSO_PROVIDERS`, `LAWOS_SSO_<NAME>_*`) are
//! described in `crate::sso::config`.
//!
//! The issuer (`iss`) and audience are the platform's `LAWOS_JWT_ISSUER` and
//! `LAWOS_JWT_AUDIENCE`.

use std::time::Duration;

use lawos_core::config::{ConfigError, parse_or, var_or};
use lawos_core::seal;

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
    /// The external OpenID Connect providers users sign in with.
    pub sso: crate::sso::Registry,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("master_key_id", &self.master_key.id())
            .field("publish_ahead", &self.publish_ahead)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("admin_email", &self.admin_email)
            .field("sso", &self.sso)
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
        let master_key =
            MasterKey::new(seal::key_from_env("LAWOS_AUTH_MASTER_KEY", DEV_MASTER_KEY)?);
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
        let sso = crate::sso::Registry::new(crate::sso::config::providers(|name| {
            std::env::var(name).ok()
        })?)
        .map_err(|e| invalid("LAWOS_SSO_PROVIDERS", "<providers>", &e))?;
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
            sso,
        })
    }
}

/// The Logto Management API settings (the Logto bridge).
#[derive(Clone)]
pub struct LogtoSettings {
    /// Base URL of the Logto tenant, without a trailing slash.
    pub endpoint: String,
    pub client_id: String,
    pub client_secret: String,
    /// The Management API resource indicator asked for in the token request.
    pub resource: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for LogtoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogtoSettings")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_LOGTO_RESOURCE: &str = "https://default.logto.app/api";

/// The Logto bridge settings: `None` when `LAWOS_LOGTO_ENDPOINT`,
/// `LAWOS_LOGTO_M2M_CLIENT_ID` and `LAWOS_LOGTO_M2M_CLIENT_SECRET` are all
/// unset; an error naming the first missing or bad one otherwise.
pub fn logto_settings() -> Result<Option<LogtoSettings>, ConfigError> {
    let endpoint = var_or("LAWOS_LOGTO_ENDPOINT", "").trim().to_owned();
    let client_id = var_or("LAWOS_LOGTO_M2M_CLIENT_ID", "").trim().to_owned();
    let client_secret = var_or("LAWOS_LOGTO_M2M_CLIENT_SECRET", "");
    if endpoint.is_empty() && client_id.is_empty() && client_secret.is_empty() {
        return Ok(None);
    }
    for (name, value) in [
        ("LAWOS_LOGTO_ENDPOINT", &endpoint),
        ("LAWOS_LOGTO_M2M_CLIENT_ID", &client_id),
        ("LAWOS_LOGTO_M2M_CLIENT_SECRET", &client_secret),
    ] {
        if value.is_empty() {
            return Err(invalid(
                name,
                "",
                "the Logto bridge needs LAWOS_LOGTO_ENDPOINT, LAWOS_LOGTO_M2M_CLIENT_ID and \
                 LAWOS_LOGTO_M2M_CLIENT_SECRET together",
            ));
        }
    }
    match url::Url::parse(&endpoint) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => {
            return Err(invalid(
                "LAWOS_LOGTO_ENDPOINT",
                &endpoint,
                "not an http(s) URL",
            ));
        }
    }
    let resource = var_or("LAWOS_LOGTO_MANAGEMENT_RESOURCE", DEFAULT_LOGTO_RESOURCE)
        .trim()
        .to_owned();
    let timeout = Duration::from_secs(parse_or("LAWOS_LOGTO_TIMEOUT_SECS", 10u64)?);
    if timeout.is_zero() {
        return Err(invalid("LAWOS_LOGTO_TIMEOUT_SECS", "0", "must be positive"));
    }
    Ok(Some(LogtoSettings {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        client_id,
        client_secret,
        resource,
        timeout,
    }))
}
