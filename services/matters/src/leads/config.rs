//! Lead intake settings, read once at start. A bad value stops the service
//! with a message naming the setting.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_LEADS_RATE_PER_IP` | `10` | leads accepted per client IP per minute (`POST /api/v1/leads/`) |
//! | `LAWOS_LEADS_RATE_PER_FIRM` | `300` | leads accepted per firm per minute |
//! | `LAWOS_LEADS_TRUSTED_PROXY_HOPS` | `0` | proxies in front of the service that append to `X-Forwarded-For`; `0` keys by the TCP peer and ignores the header |
//! | `LAWOS_LEADS_DEDUPE_SECONDS` | `600` | a lead with the same form and e-mail (or phone) within this window answers the first one |
//! | `LAWOS_META_APP_SECRET` | unset | the Meta app secret checking `X-Hub-Signature-256`; unset: `POST /webhooks/meta/` answers 503 |
//! | `LAWOS_META_VERIFY_TOKEN` | unset | the token of Meta's subscription challenge; unset: `GET /webhooks/meta/` answers 503 |
//! | `LAWOS_META_GRAPH_URL` | `https://graph.facebook.com/v21.0` | the Graph API base, version included |
//! | `LAWOS_META_TOKEN_KEY` | development key (logs a warning) | base64 of the 32-byte AES-256-GCM key sealing page access tokens |
//! | `LAWOS_META_TOKEN_KEY_ID` | `k1` | the id stored beside each sealed token |

use lawos_core::config::{ConfigError, parse_or, var_or};
use lawos_core::seal;
use std::time::Duration;

use super::seal::TokenKey;

/// Used only when `LAWOS_META_TOKEN_KEY` is unset: never in production.
const DEVELOPMENT_TOKEN_KEY: [u8; 32] = *b"lawos-development-meta-key-32-by";

#[derive(Clone)]
pub struct LeadsConfig {
    pub rate_per_ip: u32,
    pub rate_per_firm: u32,
    pub trusted_proxy_hops: usize,
    pub dedupe_window: Duration,
    pub meta_app_secret: Option<String>,
    pub meta_verify_token: Option<String>,
    pub graph_url: String,
    pub token_key: TokenKey,
    /// How often the delivery worker looks for due deliveries.
    pub retry_interval: Duration,
    /// Attempts before a delivery is given up (`FAILED`).
    pub max_attempts: i32,
}

fn secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

impl LeadsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let rate_per_ip: u32 = parse_or("LAWOS_LEADS_RATE_PER_IP", 10)?;
        let rate_per_firm: u32 = parse_or("LAWOS_LEADS_RATE_PER_FIRM", 300)?;
        if rate_per_ip == 0 || rate_per_firm == 0 {
            return Err(invalid(
                "LAWOS_LEADS_RATE_PER_IP",
                "0",
                "rates must be at least 1 per minute",
            ));
        }
        let key_id = seal::key_id_from_env("LAWOS_META_TOKEN_KEY_ID")?;
        let key = seal::key_from_env("LAWOS_META_TOKEN_KEY", DEVELOPMENT_TOKEN_KEY)?;
        let graph_url = var_or("LAWOS_META_GRAPH_URL", "https://graph.facebook.com/v21.0");
        if url::Url::parse(&graph_url).is_err() {
            return Err(invalid("LAWOS_META_GRAPH_URL", &graph_url, "must be a URL"));
        }
        Ok(Self {
            rate_per_ip,
            rate_per_firm,
            trusted_proxy_hops: parse_or("LAWOS_LEADS_TRUSTED_PROXY_HOPS", 0)?,
            dedupe_window: Duration::from_secs(parse_or("LAWOS_LEADS_DEDUPE_SECONDS", 600)?),
            meta_app_secret: secret("LAWOS_META_APP_SECRET"),
            meta_verify_token: secret("LAWOS_META_VERIFY_TOKEN"),
            graph_url: graph_url.trim_end_matches('/').to_owned(),
            token_key: TokenKey::new(key_id, key),
            retry_interval: Duration::from_secs(5),
            max_attempts: 8,
        })
    }

    /// Settings for tests: nothing from the environment.
    pub fn for_tests(graph_url: &str) -> Self {
        Self {
            rate_per_ip: 1_000,
            rate_per_firm: 1_000,
            trusted_proxy_hops: 0,
            dedupe_window: Duration::from_secs(600),
            meta_app_secret: None,
            meta_verify_token: None,
            graph_url: graph_url.trim_end_matches('/').to_owned(),
            token_key: TokenKey::new("test".to_owned(), DEVELOPMENT_TOKEN_KEY),
            retry_interval: Duration::from_millis(100),
            max_attempts: 8,
        }
    }
}
