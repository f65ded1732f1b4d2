//! The rbac service (phase 2): access control. The permission catalogue and the
//! built-in roles ([`catalogue`]), custom roles, role assignments, access grants
//! (with DENY ethical walls), field policies, the matter-membership projection
//! fed by the matters service's events, and the capabilities every service's
//! authorization asks for. Every change that alters someone's access writes
//! `permission.changed` to the outbox in the same transaction.

pub mod access;
pub mod capabilities;
pub mod catalogue;
pub mod events;
pub mod handlers;
pub mod input;
pub mod membership;
pub mod model;
pub mod routes;
pub mod schema;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_db::{DbPool, ServiceSchema};
use lawos_events::{Consumer, EventEnvelope};
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/rbac");

pub const NAME: &str = "rbac";

/// The service's state: its pool.
#[derive(Clone)]
pub struct RbacState {
    pub db: DbPool,
}

/// The `rbac` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(RbacState { db: env.db.clone() });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// The queue `rbac.events`: matter memberships (the projection).
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: NAME,
    bindings: &membership::BINDINGS,
};

/// The consumer of `rbac.events`: the matter-membership projection.
pub fn membership_consumer(
    amqp_url: String,
    db: DbPool,
) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(&amqp_url), move |event: EventEnvelope| {
        let db = db.clone();
        async move {
            membership::apply(&db, event)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    })
}

/// Background work: the membership consumer.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let consumer = membership_consumer(env.config.amqp_url.clone(), env.db.clone());
    vec![Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "rbac membership consumer stopped");
            }
        })
    })]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8083,
    schema,
    mount,
    workers,
    queues: &[QUEUE],
};
