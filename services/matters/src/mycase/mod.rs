//! The MyCase case sync (issue 18): a firm's connection with its OAuth
//! secrets sealed at rest ([`seal`]), MyCase's REST API with 429/`Retry-After`
//! backoff ([`api`]), its records and what they become in LawOS
//! ([`records`]), the three-way field decision ([`merge`]), clients written
//! through the contacts API ([`contacts`]), members matched by e-mail at auth
//! ([`directory`]), the tables of connections, runs and external references
//! ([`storage`], [`refs`]), the run itself ([`sync`]) and its scheduler
//! ([`worker`]).
//!
//! Served at `/api/v1/matters/integrations/mycase/` (the connection, `POST
//! /sync`, `GET /runs`) for the firm's `FIRM_ADMIN`
//! (`crate::handlers::mycase`). Settings: [`config`].

pub mod api;
pub mod config;
pub mod contacts;
pub mod directory;
pub mod input;
pub mod merge;
pub mod model;
pub mod records;
pub mod refs;
pub mod schema;
pub mod seal;
pub mod storage;
pub mod sync;
pub mod worker;

use lawos_db::DbPool;
use lawos_http::runtime::ServiceEnv;
use std::sync::Arc;

pub use config::MyCaseConfig;

/// What the routes and the scheduler share.
#[derive(Clone)]
pub struct MyCaseState {
    pub db: DbPool,
    pub config: MyCaseConfig,
    pub api: api::MyCaseApi,
    pub clients: contacts::ClientsApi,
    pub directory: directory::Directory,
}

impl MyCaseState {
    pub fn new(env: &ServiceEnv, config: MyCaseConfig) -> Self {
        Self {
            db: env.db.clone(),
            api: api::MyCaseApi::new(config.clone()),
            clients: contacts::ClientsApi::new(
                &env.config.contacts_url,
                env.service_tokens.clone(),
            ),
            directory: directory::Directory::new(&config.auth_url, env.service_tokens.clone()),
            config,
        }
    }

    pub fn shared(env: &ServiceEnv, config: MyCaseConfig) -> Arc<Self> {
        Arc::new(Self::new(env, config))
    }
}
