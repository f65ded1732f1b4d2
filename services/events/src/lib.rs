//! The events service (phase 3): the append-only, hash-chained audit event log.
//!
//! A consumer bound to every event type (`#`) appends each event once to
//! `events.event_log`, chained per firm ([`chain`]); the API reads a firm's log,
//! an entity's history, and recomputes the chain; `lawos-events archive` moves
//! rows past the retention horizon to S3 ([`archive`]).

pub mod access;
pub mod archive;
pub mod chain;
pub mod handlers;
pub mod input;
pub mod model;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;
pub mod worker;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/events");

pub const NAME: &str = "events";

/// The `events` schema: platform helpers, outbox and inbox, and the event log.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(state::EventsState { db: env.db.clone() });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8084,
    schema,
    mount,
    workers: worker::workers,
    queues: &[worker::QUEUE],
};
