//! SMS over Telnyx: outbound messages are queued and sent by the [`worker`]
//! through the shared `lawos-telnyx` client (retries with backoff on retryable
//! failures, then `FAILED` with the reason); the webhook ([`inbound`]) takes
//! in signed deliveries: inbound messages on the contact's SMS channel (or the
//! firm's intake channel) and delivery receipts. Settings: [`config`].

pub mod config;
pub mod inbound;
pub mod receipts;
pub mod worker;

use lawos_db::DbPool;
use lawos_http::runtime::ServiceEnv;
use lawos_telnyx::TelnyxClient;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Notify;

pub use config::SmsConfig;

use crate::clients::Upstream;
use crate::clients::channels::ChannelsClient;
use crate::clients::contacts::ContactsClient;

/// What the SMS routes and the send worker share.
pub struct SmsState {
    pub db: DbPool,
    pub config: SmsConfig,
    /// The Messages API client, when sending is configured.
    pub telnyx: Option<TelnyxClient>,
    pub channels: ChannelsClient,
    pub contacts: ContactsClient,
    /// Wakes the send worker when a message is queued.
    pub wake: Arc<Notify>,
}

/// One wake-up per service environment, so the routes (`mount`) wake the
/// worker (`workers`) of the same process, like `Authz::for_service`.
fn wake_of(env: &ServiceEnv) -> Arc<Notify> {
    static WAKERS: OnceLock<Mutex<HashMap<String, Arc<Notify>>>> = OnceLock::new();
    let key = format!(
        "{}|{}|{}",
        env.name, env.config.redis_prefix, env.config.database_url
    );
    WAKERS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(key)
        .or_default()
        .clone()
}

impl SmsState {
    pub fn new(env: &ServiceEnv, config: SmsConfig) -> Self {
        let telnyx = config.outbound.as_ref().and_then(|o| {
            TelnyxClient::new(&config.api_url, &o.api_key, config.timeout)
                .map_err(|e| tracing::error!(error = %e, "Telnyx client unusable; SMS will fail"))
                .ok()
        });
        Self {
            db: env.db.clone(),
            telnyx,
            channels: ChannelsClient::new(Upstream::new(
                &env.config.channels_url,
                env.service_tokens.clone(),
            )),
            contacts: ContactsClient::new(Upstream::new(
                &env.config.contacts_url,
                env.service_tokens.clone(),
            )),
            wake: wake_of(env),
            config,
        }
    }

    pub fn shared(env: &ServiceEnv, config: SmsConfig) -> Arc<Self> {
        Arc::new(Self::new(env, config))
    }

    /// Whether outbound SMS can be sent.
    pub fn sending_configured(&self) -> bool {
        self.telnyx.is_some()
    }
}
