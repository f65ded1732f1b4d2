//! The service's state, one per service environment: shared by the routes
//! (`mount`) and the workers (`workers`), so the sessions a socket registers
//! are the ones the live subscription delivers to. Two environments in one
//! process (two instances in a test) each have their own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use lawos_authz::Authz;
use lawos_cache::Cache;
use lawos_db::DbPool;
use lawos_http::config::PlatformConfig;
use lawos_http::runtime::ServiceEnv;
use tokio::sync::Notify;

use crate::clients::Directory;
use crate::config::{self, NotifyConfig};
use crate::live::pubsub::Live;
use crate::mail::Mailer;
use crate::mail::templates::Templates;

/// The Telnyx client and what every notification SMS is sent with.
#[derive(Debug, Clone)]
pub struct Sms {
    pub client: lawos_telnyx::TelnyxClient,
    pub profile_id: String,
    pub from: String,
}

pub struct NotifyState {
    pub db: DbPool,
    pub authz: Authz,
    pub cache: Option<Cache>,
    pub config: NotifyConfig,
    pub live: Arc<Live>,
    pub directory: Directory,
    pub mailer: Mailer,
    pub templates: Templates,
    /// SMS over Telnyx (`None`: not configured, SMS deliveries fail at once).
    pub sms: Option<Sms>,
    /// Woken when deliveries were queued, so the sender does not wait for its poll.
    pub wake: Notify,
}

impl std::fmt::Debug for NotifyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyState").finish_non_exhaustive()
    }
}

type Registry = Mutex<HashMap<usize, (Weak<PlatformConfig>, Arc<NotifyState>)>>;

impl NotifyState {
    fn build(env: &ServiceEnv) -> Self {
        let config = match config::for_prefix(&env.config.redis_prefix) {
            Ok(c) => c,
            Err(e) => panic!("notifications: {e}"),
        };
        let mailer = match Mailer::new(&config) {
            Ok(m) => m,
            Err(e) => panic!("notifications: {e}"),
        };
        let templates = match Templates::new() {
            Ok(t) => t,
            Err(e) => panic!("notifications: templates: {e}"),
        };
        let sms = config.sms.as_ref().map(|s| {
            match lawos_telnyx::TelnyxClient::new(&s.api_url, &s.api_key, s.timeout) {
                Ok(client) => Sms {
                    client,
                    profile_id: s.profile_id.clone(),
                    from: s.from.clone(),
                },
                Err(e) => panic!("notifications: Telnyx client: {e}"),
            }
        });
        if sms.is_none() {
            tracing::info!(
                "SMS is not configured (LAWOS_TELNYX_API_KEY, LAWOS_TELNYX_MESSAGING_PROFILE_ID, LAWOS_NOTIFICATION_SMS_FROM): SMS deliveries fail at once"
            );
        }
        Self {
            db: env.db.clone(),
            authz: Authz::for_service(env),
            cache: env.cache.clone(),
            live: Arc::new(Live::new(
                env.cache.clone(),
                &env.config.redis_url,
                &env.config.redis_prefix,
            )),
            directory: Directory::new(
                &env.config.matters_url,
                &env.config.rbac_url,
                env.service_tokens.clone(),
            ),
            mailer,
            templates,
            sms,
            config,
            wake: Notify::new(),
        }
    }

    /// The state of `env` (created on first use; the same for every call with
    /// this environment, whose configuration it is keyed by).
    pub fn shared(env: &ServiceEnv) -> Arc<Self> {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        let key = Arc::as_ptr(&env.config) as usize;
        let mut registry = REGISTRY
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        registry.retain(|_, (config, _)| config.strong_count() > 0);
        if let Some((config, state)) = registry.get(&key)
            && config
                .upgrade()
                .is_some_and(|c| Arc::ptr_eq(&c, &env.config))
        {
            return state.clone();
        }
        let state = Arc::new(Self::build(env));
        registry.insert(key, (Arc::downgrade(&env.config), state.clone()));
        state
    }
}
