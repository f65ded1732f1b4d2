//! MyCase sync settings, read once at start. A bad value stops the service
//! with a message naming the setting.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_MYCASE_API_URL` | `https://external-integrations.mycase.com/v1` | MyCase's REST API, for connections naming none |
//! | `LAWOS_MYCASE_TOKEN_URL` | `https://auth.mycase.com/tokens` | MyCase's OAuth token endpoint, for connections naming none |
//! | `LAWOS_MYCASE_TOKEN_KEY` | development key (logs a warning) | base64 of the 32-byte AES-256-GCM key sealing connections' client secrets and refresh tokens |
//! | `LAWOS_MYCASE_TOKEN_KEY_ID` | `k1` | the id stored beside each sealed secret |
//! | `LAWOS_MYCASE_POLL_SECONDS` | `60` | how often each replica looks for connections whose interval has passed |
//! | `LAWOS_MYCASE_PAGE_SIZE` | `200` | records asked per page (MyCase allows 1–1000) |
//! | `LAWOS_MYCASE_MAX_RETRIES` | `8` | attempts at one MyCase request answered 429 or 5xx before the run fails |
//! | `LAWOS_MYCASE_MAX_BACKOFF_SECONDS` | `60` | the longest wait before a retry (a longer `Retry-After` is cut to it) |
//! | `LAWOS_MYCASE_ALLOW_HTTP` | `off` | `on` lets a connection name a plain-http URL (development stand-ins only) |
//! | `LAWOS_AUTH_URL` | `LAWOS_TOKEN_URL` without `/oauth/token` | the auth service, whose member directory matches MyCase staff by e-mail |

use lawos_core::config::{ConfigError, parse_or, var_or};
use lawos_core::seal;
use lawos_http::config::PlatformConfig;
use std::time::Duration;

use super::seal::SecretKey;

/// Used only when `LAWOS_MYCASE_TOKEN_KEY` is unset: never in production.
const DEVELOPMENT_KEY: [u8; 32] = *b"lawos-development-mycase-key-32b";

pub const DEFAULT_API_URL: &str = "https://external-integrations.mycase.com/v1";
pub const DEFAULT_TOKEN_URL: &str = "https://auth.mycase.com/tokens";

#[derive(Clone)]
pub struct MyCaseConfig {
    pub api_url: String,
    pub token_url: String,
    pub key: SecretKey,
    pub auth_url: String,
    pub poll_interval: Duration,
    pub page_size: u32,
    pub max_retries: u32,
    pub max_backoff: Duration,
    /// The first wait when MyCase names none (doubled per attempt).
    pub base_backoff: Duration,
    pub allow_http: bool,
    /// A RUNNING run whose heartbeat is older than this was abandoned.
    pub lease: Duration,
    /// How far before the cursor each pull starts (records changed while the
    /// last run paged are pulled again; reruns change nothing).
    pub overlap: Duration,
    /// Runs one replica works on at once.
    pub concurrency: usize,
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn url_setting(name: &str, default: &str) -> Result<String, ConfigError> {
    let value = var_or(name, default);
    match url::Url::parse(&value) {
        Ok(u) if u.scheme() == "https" || u.scheme() == "http" => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(invalid(name, &value, "must be an http(s) URL")),
    }
}

impl MyCaseConfig {
    pub fn from_env(platform: &PlatformConfig) -> Result<Self, ConfigError> {
        let derived = platform
            .token_url
            .strip_suffix("/oauth/token")
            .unwrap_or(&platform.jwt_issuer)
            .to_owned();
        let page_size: u32 = parse_or("LAWOS_MYCASE_PAGE_SIZE", 200)?;
        if !(1..=1000).contains(&page_size) {
            return Err(invalid(
                "LAWOS_MYCASE_PAGE_SIZE",
                &page_size.to_string(),
                "must be between 1 and 1000",
            ));
        }
        let poll: u64 = parse_or("LAWOS_MYCASE_POLL_SECONDS", 60)?;
        let max_backoff: u64 = parse_or("LAWOS_MYCASE_MAX_BACKOFF_SECONDS", 60)?;
        if poll == 0 || max_backoff == 0 || max_backoff > 600 {
            return Err(invalid(
                "LAWOS_MYCASE_MAX_BACKOFF_SECONDS",
                &max_backoff.to_string(),
                "LAWOS_MYCASE_POLL_SECONDS and LAWOS_MYCASE_MAX_BACKOFF_SECONDS must be at least 1 (the backoff at most 600)",
            ));
        }
        let allow_http = match var_or("LAWOS_MYCASE_ALLOW_HTTP", "off").as_str() {
            "on" => true,
            "off" => false,
            other => {
                return Err(invalid(
                    "LAWOS_MYCASE_ALLOW_HTTP",
                    other,
                    "must be on or off",
                ));
            }
        };
        let key_id = seal::key_id_from_env("LAWOS_MYCASE_TOKEN_KEY_ID")?;
        let key = seal::key_from_env("LAWOS_MYCASE_TOKEN_KEY", DEVELOPMENT_KEY)?;
        let max_backoff = Duration::from_secs(max_backoff);
        Ok(Self {
            api_url: url_setting("LAWOS_MYCASE_API_URL", DEFAULT_API_URL)?,
            token_url: url_setting("LAWOS_MYCASE_TOKEN_URL", DEFAULT_TOKEN_URL)?,
            key: SecretKey::new(key_id, key),
            auth_url: url_setting("LAWOS_AUTH_URL", &derived)?,
            poll_interval: Duration::from_secs(poll),
            page_size,
            max_retries: parse_or("LAWOS_MYCASE_MAX_RETRIES", 8)?,
            max_backoff,
            base_backoff: Duration::from_secs(1),
            allow_http,
            // Longer than any wait between two heartbeats (a backoff, a page).
            lease: max_backoff * 3 + Duration::from_secs(120),
            overlap: Duration::from_secs(300),
            concurrency: 4,
        })
    }

    /// Settings for tests: MyCase at `api_url` / `token_url`, auth at
    /// `auth_url`, plain http allowed, short waits, nothing from the environment.
    pub fn for_tests(api_url: &str, token_url: &str, auth_url: &str) -> Self {
        Self {
            api_url: api_url.trim_end_matches('/').to_owned(),
            token_url: token_url.to_owned(),
            key: SecretKey::new("test".to_owned(), DEVELOPMENT_KEY),
            auth_url: auth_url.trim_end_matches('/').to_owned(),
            poll_interval: Duration::from_millis(100),
            page_size: 2,
            max_retries: 4,
            max_backoff: Duration::from_secs(5),
            base_backoff: Duration::from_millis(50),
            allow_http: true,
            lease: Duration::from_secs(30),
            overlap: Duration::from_secs(300),
            concurrency: 2,
        }
    }
}
