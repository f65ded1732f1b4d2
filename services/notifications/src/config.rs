//! The notifications service's settings, each read once from the environment
//! (documented in the README's configuration table); a bad one stops the
//! service at start, naming it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lawos_core::config::{ConfigError, parse_or, var_or};

/// How SMS go out: Telnyx's Messages API through the shared client
/// (`lawos-telnyx`, the one the messages service sends with).
#[derive(Clone)]
pub struct SmsSettings {
    /// `LAWOS_TELNYX_API_URL` (`https://api.telnyx.com`).
    pub api_url: String,
    /// `LAWOS_TELNYX_API_KEY`.
    pub api_key: String,
    /// `LAWOS_TELNYX_MESSAGING_PROFILE_ID`.
    pub profile_id: String,
    /// `LAWOS_NOTIFICATION_SMS_FROM`: the number (E.164) notifications are sent from.
    pub from: String,
    /// One Messages API call's timeout (10 s, as the messages service).
    pub timeout: Duration,
}

impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("api_url", &self.api_url)
            .field("profile_id", &self.profile_id)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// `+` and 8 to 15 digits.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

fn setting(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl SmsSettings {
    /// The SMS settings: all of the API key, the messaging profile and the
    /// sending number, or none of them (SMS deliveries then fail at once);
    /// some without the others stops the service, naming what is missing.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let (key, profile, from) = (
            setting("LAWOS_TELNYX_API_KEY"),
            setting("LAWOS_TELNYX_MESSAGING_PROFILE_ID"),
            setting("LAWOS_NOTIFICATION_SMS_FROM"),
        );
        let (api_key, profile_id, from) = match (key, profile, from) {
            (None, None, None) => return Ok(None),
            (Some(k), Some(p), Some(f)) => (k, p, f),
            (k, p, _) => {
                let missing = if k.is_none() {
                    "LAWOS_TELNYX_API_KEY"
                } else if p.is_none() {
                    "LAWOS_TELNYX_MESSAGING_PROFILE_ID"
                } else {
                    "LAWOS_NOTIFICATION_SMS_FROM"
                };
                return Err(ConfigError::Missing {
                    name: missing.into(),
                });
            }
        };
        if !is_e164(&from) {
            return Err(ConfigError::Invalid {
                name: "LAWOS_NOTIFICATION_SMS_FROM".into(),
                value: from,
                reason: "must be a number in E.164 form, e.g. +15551234567".into(),
            });
        }
        let api_url = var_or("LAWOS_TELNYX_API_URL", lawos_telnyx::DEFAULT_API_URL);
        if url::Url::parse(&api_url).is_err() {
            return Err(ConfigError::Invalid {
                name: "LAWOS_TELNYX_API_URL".into(),
                value: api_url,
                reason: "must be a URL".into(),
            });
        }
        Ok(Some(Self {
            api_url,
            api_key,
            profile_id,
            from,
            timeout: Duration::from_secs(10),
        }))
    }
}

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
    /// SMS over Telnyx; `None`: SMS deliveries fail at once (`TELNYX_NOT_CONFIGURED`).
    pub sms: Option<SmsSettings>,
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
            sms: SmsSettings::from_env()?,
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

#[cfg(test)]
mod tests {
    use super::is_e164;

    #[test]
    fn sending_numbers_are_e164() {
        assert!(is_e164("+15551234567"));
        assert!(is_e164("+4930123456"));
        assert!(!is_e164("15551234567"));
        assert!(!is_e164("+1 555 123 4567"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+1234"));
    }
}
