//! SMS settings, read once at start. A bad value stops the service with a
//! message naming the setting.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_TELNYX_API_KEY` | unset | the Telnyx API key (bearer) outbound SMS are sent with; with the profile below it turns sending on (setting only one of the two stops start-up, naming the other) |
//! | `LAWOS_TELNYX_MESSAGING_PROFILE_ID` | unset | the messaging profile outbound SMS go through |
//! | `LAWOS_TELNYX_PUBLIC_KEY` | unset | base64 of the account's Ed25519 public key that signs webhook deliveries; unset, `POST /webhooks/telephony/` answers 503 `TELNYX_NOT_CONFIGURED` |
//! | `LAWOS_TELNYX_API_URL` | `https://api.telnyx.com` | the API base (`/v2/messages` is appended) |
//! | `LAWOS_TELNYX_TOLERANCE_SECS` | `300` | how far a delivery's `telnyx-timestamp` may be from now |
//! | `LAWOS_TELNYX_MAX_ATTEMPTS` | `6` | send attempts on retryable failures (timeouts, 5xx, 429) before a message is `FAILED` |
//!
//! Without an API key and profile an SMS is stored `FAILED` at once with the
//! reason `TELNYX_NOT_CONFIGURED` (never left queued for a sender that does not
//! exist): the sender sees it failed and may send it again once SMS is set up.

use lawos_core::config::{ConfigError, parse_or, var_or};
use lawos_telnyx::PublicKey;
use std::time::Duration;

/// What sending needs.
#[derive(Clone)]
pub struct Outbound {
    pub api_key: String,
    pub profile_id: String,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("profile_id", &self.profile_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub outbound: Option<Outbound>,
    pub public_key: Option<PublicKey>,
    pub api_url: String,
    pub tolerance: Duration,
    pub max_attempts: i32,
    /// The first retry's delay; each next one doubles, up to ten minutes.
    pub retry_base: Duration,
    /// How often the send worker looks for due messages when not woken.
    pub poll_interval: Duration,
    /// Each Messages API call's timeout.
    pub timeout: Duration,
}

fn secret(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

impl SmsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let outbound = match (
            secret("LAWOS_TELNYX_API_KEY"),
            secret("LAWOS_TELNYX_MESSAGING_PROFILE_ID"),
        ) {
            (Some(api_key), Some(profile_id)) => Some(Outbound {
                api_key,
                profile_id,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    name: "LAWOS_TELNYX_MESSAGING_PROFILE_ID".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "LAWOS_TELNYX_API_KEY".into(),
                });
            }
        };
        let public_key = match secret("LAWOS_TELNYX_PUBLIC_KEY") {
            None => None,
            Some(v) => Some(
                PublicKey::from_base64(&v)
                    .map_err(|reason| invalid("LAWOS_TELNYX_PUBLIC_KEY", "<set>", &reason))?,
            ),
        };
        let api_url = var_or("LAWOS_TELNYX_API_URL", lawos_telnyx::DEFAULT_API_URL);
        if url::Url::parse(&api_url).is_err() {
            return Err(invalid("LAWOS_TELNYX_API_URL", &api_url, "must be a URL"));
        }
        let tolerance: u64 = parse_or("LAWOS_TELNYX_TOLERANCE_SECS", 300)?;
        if tolerance == 0 {
            return Err(invalid(
                "LAWOS_TELNYX_TOLERANCE_SECS",
                "0",
                "must be at least 1",
            ));
        }
        let max_attempts: i32 = parse_or("LAWOS_TELNYX_MAX_ATTEMPTS", 6)?;
        if !(1..=50).contains(&max_attempts) {
            return Err(invalid(
                "LAWOS_TELNYX_MAX_ATTEMPTS",
                &max_attempts.to_string(),
                "must be between 1 and 50",
            ));
        }
        Ok(Self {
            outbound,
            public_key,
            api_url,
            tolerance: Duration::from_secs(tolerance),
            max_attempts,
            retry_base: Duration::from_secs(5),
            poll_interval: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        })
    }

    /// Settings for tests: nothing from the environment, Telnyx at `api_url`,
    /// fast retries.
    pub fn for_tests(api_url: &str) -> Self {
        Self {
            outbound: None,
            public_key: None,
            api_url: api_url.to_owned(),
            tolerance: Duration::from_secs(300),
            max_attempts: 3,
            retry_base: Duration::from_millis(50),
            poll_interval: Duration::from_millis(100),
            timeout: Duration::from_secs(2),
        }
    }
}
