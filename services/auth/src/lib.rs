//! The auth service (phase 1): the platform's token issuer and identity.
//!
//! Delivered so far: ES256 signing keys encrypted at rest with rotation and
//! publish-ahead (`lawos-auth rotate-keys`), OpenID discovery and the JWKS,
//! `POST /oauth/token` (password, client_credentials, refresh_token with
//! rotation and reuse detection), `POST /oauth/revoke`, the user mirror with
//! local argon2id credentials and the bootstrap system administrator, service
//! accounts (`lawos-auth create-service-account`), `GET/PATCH /api/v1/auth/me`,
//! `GET /api/v1/auth/me/export`, the firm directory (`/api/v1/auth/members`) and
//! user administration (`/api/v1/auth/users/search`, `/api/v1/auth/users/{userId}`),
//! provisioning and a firm's users (`/api/v1/auth/firms/{firmId}/users`), lawyer
//! credentials (`/api/v1/auth/users/{userId}/credentials`) and the daily
//! `credential.expiring` job, support access (`/api/v1/auth/support-access/`:
//! sessions with act-as tokens, also by token exchange, their access log and
//! revocation everywhere; admin locks).

pub mod access;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod expiry_job;
pub mod handlers;
pub mod input;
pub mod keys;
pub mod logto;
pub mod model;
pub mod oauth;
pub mod oidc;
pub mod provisioning;
pub mod rbac;
pub mod recovery;
pub mod roles;
pub mod routes;
pub mod schema;
pub mod sso;
pub mod state;
pub mod storage;
pub mod support;
pub mod user_admin;
pub mod views;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/auth");

pub const NAME: &str = "auth";

/// The `auth` schema: platform helpers, outbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes bound to its state. A bad auth setting stops the
/// process here, at start, naming the setting.
pub fn mount(env: &ServiceEnv) -> Mount {
    let config = match config::AuthConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, "lawos-auth cannot start");
            eprintln!("lawos-auth: {e}");
            std::process::exit(2);
        }
    };
    let state = actix_web::web::Data::from(state::AuthState::new(
        env.db.clone(),
        config,
        env.config.jwt_issuer.clone(),
        env.config.jwt_audience.clone(),
    ));
    // Start-up work begins now; requests that need it wait for it.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let starting = state.clone();
        runtime.spawn(async move {
            if let Err(e) = starting.ensure_ready().await {
                tracing::warn!(error = %e, "auth start-up work failed; retried on first use");
            }
        });
    }
    let rbac = actix_web::web::Data::new(rbac::RbacClient::new(
        &env.config.rbac_url,
        env.service_tokens.clone(),
    ));
    let locks = actix_web::web::Data::new(support::locks::Locks::new(env.cache.clone()));
    let logto = actix_web::web::Data::new(logto::Bridge::from_env_or_exit());
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            cfg.app_data(rbac.clone());
            cfg.app_data(locks.clone());
            cfg.app_data(logto.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the credential expiry job, the support access log drain and
/// the Logto bridge's `firm.created` consumer.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let mut workers = Vec::new();
    match config::credential_expiry_interval() {
        Ok(interval) => workers.push(expiry_job::worker(env.db.clone(), interval)),
        Err(e) => tracing::error!(error = %e, "lawos-auth: the credential expiry job cannot start"),
    }
    match &env.cache {
        Some(cache) => workers.push(support::access_log::worker(env.db.clone(), cache.clone())),
        None => tracing::warn!("no Redis: support access is logged, not recorded in the table"),
    }
    workers.push(logto::firm_created::worker(
        env,
        logto::Bridge::from_env_or_exit(),
    ));
    workers
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8081,
    schema,
    mount,
    workers,
    queues: &[logto::firm_created::QUEUE],
};
