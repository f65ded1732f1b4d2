//! The tenants service (phase 1): firms, their domains, settings and features,
//! and tenant resolution for every other service.

pub mod access;
pub mod handlers;
pub mod input;
pub mod logto_link;
pub mod model;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/tenants");

pub const NAME: &str = "tenants";

/// The `tenants` schema: platform helpers, outbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

fn state(env: &ServiceEnv) -> state::TenantsState {
    state::TenantsState {
        db: env.db.clone(),
        cache: env.cache.clone(),
        audit: env.audit_trail(),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(state(env));
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the `logto_organization.created` consumer (a firm's
/// `logtoOrgId` written back when auth links its organization).
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let consumer = logto_link::consumer(env.config.amqp_url.clone(), state(env));
    vec![Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "tenants Logto link consumer stopped");
            }
        })
    })]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8082,
    schema,
    mount,
    workers,
    queues: &[logto_link::QUEUE],
};
