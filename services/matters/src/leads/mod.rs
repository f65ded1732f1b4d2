//! Lead intake: `POST /api/v1/leads/` (public: the firm from the request's host
//! or from a lead form's key) and the Meta lead-ads webhook (`/webhooks/meta/`:
//! signed deliveries recorded once per leadgen id, then fetched from the Graph
//! API and taken in, with retries). Both end in [`intake::take`]: a contact at
//! contacts and a matter in stage `LEAD` with that contact as its `CLIENT`
//! party, a note with the intake details and the `lead.received` event.
//!
//! A firm's lead forms and Meta pages are managed at
//! `/api/v1/matters/lead-forms/` and `/api/v1/matters/meta-pages/` by callers
//! holding `matters:create` (those who may open matters may open a way in for
//! them). Settings: [`config`].

pub mod config;
pub mod contacts;
pub mod intake;
pub mod keys;
pub mod limits;
pub mod meta;
pub mod model;
pub mod seal;
pub mod storage;
pub mod worker;

use lawos_db::DbPool;
use lawos_http::runtime::ServiceEnv;
use std::sync::Arc;

pub use config::LeadsConfig;

/// What the intake routes and the delivery worker share.
#[derive(Clone)]
pub struct LeadsState {
    pub db: DbPool,
    pub config: LeadsConfig,
    pub contacts: contacts::IntakeClient,
    pub graph: meta::GraphClient,
    pub limits: limits::LeadLimits,
}

impl LeadsState {
    pub fn new(env: &ServiceEnv, config: LeadsConfig) -> Self {
        Self {
            db: env.db.clone(),
            contacts: contacts::IntakeClient::new(
                &env.config.contacts_url,
                env.service_tokens.clone(),
            ),
            graph: meta::GraphClient::new(&config.graph_url),
            limits: limits::LeadLimits::new(
                env.cache.as_ref(),
                config.rate_per_ip,
                config.rate_per_firm,
                config.trusted_proxy_hops,
            ),
            config,
        }
    }

    pub fn shared(env: &ServiceEnv, config: LeadsConfig) -> Arc<Self> {
        Arc::new(Self::new(env, config))
    }
}
