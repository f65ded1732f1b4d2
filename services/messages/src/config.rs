//! The messages service's settings, read once at start (a bad one stops the
//! service, naming it): the SMS settings ([`crate::sms::config`]) and
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `LAWOS_AUTH_URL` | `LAWOS_TOKEN_URL` without `/oauth/token` | the auth service, whose firm directory says who a comment may mention |

use lawos_core::config::{ConfigError, var_or};
use lawos_http::config::PlatformConfig;

use crate::sms::SmsConfig;

#[derive(Debug, Clone)]
pub struct MessagesConfig {
    pub auth_url: String,
    pub sms: SmsConfig,
}

impl MessagesConfig {
    pub fn from_env(platform: &PlatformConfig) -> Result<Self, ConfigError> {
        let derived = platform
            .token_url
            .strip_suffix("/oauth/token")
            .unwrap_or(&platform.jwt_issuer)
            .to_owned();
        let auth_url = var_or("LAWOS_AUTH_URL", &derived);
        if url::Url::parse(&auth_url).is_err() {
            return Err(ConfigError::Invalid {
                name: "LAWOS_AUTH_URL".into(),
                value: auth_url,
                reason: "must be a URL".into(),
            });
        }
        Ok(Self {
            auth_url,
            sms: SmsConfig::from_env()?,
        })
    }

    /// Settings for tests: auth at `auth_url`, Telnyx at `telnyx_url`, nothing from the environment.
    pub fn for_tests(auth_url: &str, telnyx_url: &str) -> Self {
        Self {
            auth_url: auth_url.to_owned(),
            sms: SmsConfig::for_tests(telnyx_url),
        }
    }
}
