//! The notifications service's settings, each read once from the environment
//! (documented in the README's configuration table); a bad one stops the
//! service at start, naming it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lawos_core::config::{ConfigError, parse_or, var_or};

#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `LAWOS_NOTIFICATION_TTL_DAYS` (90): a notification's `expiresAt`.
    pub ttl: Duration,
    /// `LAWOS_NOTIFICATION_GROUP_SECS` (60): a burst is gathered for this long.
    pub group_window: Duration,
    /// `LAWOS_NOTIFICATION_CLEANUP_SECS` (3600): how often expired ones are removed.
    pub cleanup_every: Duration,
    /// `LAWOS_WS_HEARTBEAT_SECS` (20): a ping to every socket this often.
    pub heartbeat: Duration,
    /// `LAWOS_WS_CLIENT_TIMEOUT_SECS` (60): a socket silent this long is closed.
    pub client_timeout: Duration,
    /// `LAWOS_WS_TICKET_SECS` (30): the life of a single-use socket ticket.
    pub ticket_ttl: Duration,
    /// `LAWOS_SMTP_URL`: `smtp://host:port` (plain, loopback only in practice),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://host:465`
    /// (TLS). Unset: mail is written to `mail_dir`.
    pub smtp_url: Option<String>,
    /// `LAWOS_SMTP_TIMEOUT_SECS` (10).
    pub smtp_timeout: Duration,
    /// `LAWOS_MAIL_DIR` (`.lawos/mail`): where mail goes without SMTP.
    pub mail_dir: PathBuf,
    /// `LAWOS_MAIL_FROM` (`LawOS <notifications@lawos.local>`): the sender
    /// unless the firm sets its own.
    pub mail_from: String,
    /// `LAWOS_DELIVERY_RETRY_MS` (30000): the first retry's delay, doubled per attempt (at most an hour).
    pub retry_base: Duration,
    /// `LAWOS_DELIVERY_MAX_ATTEMPTS` (8): attempts before a delivery is FAILED.
    pub max_attempts: i32,
    /// `LAWOS_DELIVERY_POLL_MS` (1000): how often due deliveries are looked for.
    pub poll: Duration,
    /// `LAWOS_DIGEST_TICK_SECS` (300): how often daily digests are looked for.
    pub digest_tick: Duration,
}

fn secs(name: &str, default: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(parse_or(name, default)?))
}

fn millis(name: &str, default: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(parse_or(name, default)?))
}

impl NotifyConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let max_attempts: i32 = parse_or("LAWOS_DELIVERY_MAX_ATTEMPTS", 8)?;
        if max_attempts < 1 {
            return Err(ConfigError::Invalid {
                name: "LAWOS_DELIVERY_MAX_ATTEMPTS".into(),
                value: max_attempts.to_string(),
                reason: "must be at least 1".into(),
            });
        }
        let smtp_url = std::env::var("LAWOS_SMTP_URL")
            .ok()
            .filter(|v| !v.is_empty());
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError::Invalid {
                name: "LAWOS_SMTP_URL".into(),
                value: url.clone(),
                reason: "must be smtp://… or smtps://…".into(),
            });
        }
        Ok(Self {
            ttl: Duration::from_secs(
                parse_or::<u64>("LAWOS_NOTIFICATION_TTL_DAYS", 90)?.saturating_mul(86_400),
            ),
            group_window: secs("LAWOS_NOTIFICATION_GROUP_SECS", 60)?,
            cleanup_every: secs("LAWOS_NOTIFICATION_CLEANUP_SECS", 3600)?,
            heartbeat: secs("LAWOS_WS_HEARTBEAT_SECS", 20)?,
            client_timeout: secs("LAWOS_WS_CLIENT_TIMEOUT_SECS", 60)?,
            ticket_ttl: secs("LAWOS_WS_TICKET_SECS", 30)?,
            smtp_url,
            smtp_timeout: secs("LAWOS_SMTP_TIMEOUT_SECS", 10)?,
            mail_dir: PathBuf::from(var_or("LAWOS_MAIL_DIR", ".lawos/mail")),
            mail_from: var_or("LAWOS_MAIL_FROM", "LawOS <notifications@lawos.local>"),
            retry_base: millis("LAWOS_DELIVERY_RETRY_MS", 30_000)?,
            max_attempts,
            poll: millis("LAWOS_DELIVERY_POLL_MS", 1000)?,
            digest_tick: secs("LAWOS_DIGEST_TICK_SECS", 300)?,
        })
    }
}

fn overrides() -> &'static Mutex<HashMap<String, NotifyConfig>> {
    static OVERRIDES: OnceLock<Mutex<HashMap<String, NotifyConfig>>> = OnceLock::new();
    OVERRIDES.get_or_init(Mutex::default)
}

/// Settings for the environments whose Redis prefix is `prefix`, instead of
/// the process environment: for embedding the service (tests run several
/// environments in one process, each with its own SMTP server).
pub fn set_for_prefix(prefix: &str, config: NotifyConfig) {
    overrides()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(prefix.to_owned(), config);
}

/// The settings of an environment with Redis prefix `prefix`.
pub fn for_prefix(prefix: &str) -> Result<NotifyConfig, ConfigError> {
    let found = overrides()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(prefix)
        .cloned();
    match found {
        Some(config) => Ok(config),
        None => NotifyConfig::from_env(),
    }
}
