//! The matters service (phase 5): matters (the Backstage cases) with gap-free
//! numbers per firm and year, their stage lifecycle, their teams, notes,
//! parties and budgets, and a timeline of audit events and notes.
//!
//! Access is decided with `lawos-authz` (scopes `matters:read|create|update|delete`,
//! reach, grants, walls; lists filtered in SQL). Entity events come from the
//! tables' triggers; `matter.stage_changed`, `matter.member_added` and
//! `matter.member_removed` are enqueued by the changing transaction.

pub mod access;
pub mod audit;
pub mod contacts;
pub mod events;
pub mod handlers;
pub mod input;
pub mod list;
pub mod model;
pub mod routes;
pub mod schema;
pub mod stage;
pub mod state;
pub mod storage;
pub mod timeline;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/matters");

pub const NAME: &str = "matters";

/// The `matters` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(state::MattersState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        audit: env.audit_trail(),
        contacts: contacts::ContactsClient::new(
            &env.config.contacts_url,
            env.service_tokens.clone(),
        ),
    });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the authorization cache's `permission.changed` subscription.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    vec![Authz::for_service(env).worker(env)]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8086,
    schema,
    mount,
    workers,
};
