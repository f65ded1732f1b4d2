//! LiveKit settings, read once at start. All three of URL, key and secret, or
//! none (calls then answer 503 `SERVICE_UNAVAILABLE` with
//! `details.reason = LIVEKIT_NOT_CONFIGURED`); some but not all stops the
//! service at start, naming the missing one.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_LIVEKIT_URL` | unset (calls off) | the LiveKit server's API base (`https://livekit.example.com`): rooms are created there |
//! | `LAWOS_LIVEKIT_API_KEY` | unset | the API key: issuer of the tokens the service signs, and of LiveKit's webhooks |
//! | `LAWOS_LIVEKIT_API_SECRET` | unset | its secret: signs join tokens, verifies webhooks |
//! | `LAWOS_LIVEKIT_SIGNAL_URL` | the URL with `ws(s)://` | what clients connect to with their join token (behind the gateway: `wss://<host>/ws/livekit`) |
//! | `LAWOS_LIVEKIT_TOKEN_TTL_SECS` | `600` | life of a join token |
//! | `LAWOS_LIVEKIT_EMPTY_TIMEOUT_SECS` | `300` | LiveKit closes a room nobody joined (or everybody left) after this long |

use lawos_core::config::{ConfigError, parse_or};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct LiveKitConfig {
    pub url: String,
    pub signal_url: String,
    pub api_key: String,
    pub api_secret: String,
    pub token_ttl: Duration,
    pub empty_timeout_secs: u32,
}

fn set(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `http(s)://` → `ws(s)://`.
pub fn signal_url_of(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url.to_owned()
    }
}

impl LiveKitConfig {
    /// The settings, `None` when calls are not configured.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let names = [
            "LAWOS_LIVEKIT_URL",
            "LAWOS_LIVEKIT_API_KEY",
            "LAWOS_LIVEKIT_API_SECRET",
        ];
        let values = names.map(set);
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some(i) = values.iter().position(Option::is_none) {
            return Err(ConfigError::Missing {
                name: names[i].to_owned(),
            });
        }
        let [url, api_key, api_secret] = values.map(Option::unwrap_or_default);
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: names[0].to_owned(),
                value: url,
                reason: "must be an http(s) URL".to_owned(),
            });
        }
        let signal_url = set("LAWOS_LIVEKIT_SIGNAL_URL").unwrap_or_else(|| signal_url_of(&url));
        let ttl: u64 = parse_or("LAWOS_LIVEKIT_TOKEN_TTL_SECS", 600)?;
        Ok(Some(Self {
            url: url.trim_end_matches('/').to_owned(),
            signal_url,
            api_key,
            api_secret,
            token_ttl: Duration::from_secs(ttl.clamp(60, 86_400)),
            empty_timeout_secs: parse_or("LAWOS_LIVEKIT_EMPTY_TIMEOUT_SECS", 300)?,
        }))
    }

    /// Settings for tests: a LiveKit at `url`.
    pub fn for_tests(url: &str, api_key: &str, api_secret: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            signal_url: signal_url_of(url),
            api_key: api_key.to_owned(),
            api_secret: api_secret.to_owned(),
            token_ttl: Duration::from_secs(600),
            empty_timeout_secs: 300,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_signal_over_websockets() {
        assert_eq!(
            signal_url_of("https://lk.example.com/"),
            "wss://lk.example.com"
        );
        assert_eq!(
            signal_url_of("http://127.0.0.1:7880"),
            "ws://127.0.0.1:7880"
        );
    }
}
