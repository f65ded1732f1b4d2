//! The matters service (phase 5): matters (the Backstage cases) with gap-free
//! numbers per firm and year, their stage lifecycle, their teams, notes,
//! parties and budgets, a timeline of audit events and notes, lead intake and
//! the MyCase case sync (`mycase`).
//!
//! Access is decided with `lawos-authz` (scopes `matters:read|create|update|delete`,
//! reach, grants, walls; lists filtered in SQL). Entity events come from the
//! tables' triggers; `matter.stage_changed`, `matter.member_added` and
//! `matter.member_removed` are enqueued by the changing transaction.

pub mod access;
pub mod activity;
pub mod audit;
pub mod contacts;
pub mod events;
pub mod handlers;
pub mod input;
pub mod leads;
pub mod list;
pub mod model;
pub mod mycase;
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

/// The lead-intake settings; a bad one stops the service at start, naming it.
fn leads_config() -> leads::LeadsConfig {
    match leads::LeadsConfig::from_env() {
        Ok(config) => config,
        Err(e) => panic!("matters: {e}"),
    }
}

/// The MyCase sync settings; a bad one stops the service at start, naming it.
fn mycase_config(env: &ServiceEnv) -> mycase::MyCaseConfig {
    match mycase::MyCaseConfig::from_env(&env.config) {
        Ok(config) => config,
        Err(e) => panic!("matters: {e}"),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    mount_with(env, leads::LeadsState::shared(env, leads_config()))
}

/// [`mount`] with the given lead-intake state (settings not from the environment).
pub fn mount_with(env: &ServiceEnv, leads: std::sync::Arc<leads::LeadsState>) -> Mount {
    mount_with_all(
        env,
        leads,
        mycase::MyCaseState::shared(env, mycase_config(env)),
    )
}

/// [`mount`] with the given lead-intake and MyCase states.
pub fn mount_with_all(
    env: &ServiceEnv,
    leads: std::sync::Arc<leads::LeadsState>,
    mycase: std::sync::Arc<mycase::MyCaseState>,
) -> Mount {
    let leads = actix_web::web::Data::from(leads);
    let mycase = actix_web::web::Data::from(mycase);
    let resolver = actix_web::web::Data::new(env.resolver.clone());
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
            cfg.app_data(leads.clone());
            cfg.app_data(mycase.clone());
            cfg.app_data(resolver.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the authorization cache's `permission.changed` subscription,
/// the Meta delivery worker, the MyCase scheduler and the activity consumer
/// (`matters.events`).
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    workers_with(env, mycase::MyCaseState::shared(env, mycase_config(env)))
}

/// [`workers`] with the given MyCase state (settings not from the environment).
pub fn workers_with(env: &ServiceEnv, mycase: std::sync::Arc<mycase::MyCaseState>) -> Vec<Worker> {
    let activity = activity::consumer(&env.config.amqp_url, env.db.clone());
    vec![
        Authz::for_service(env).worker(env),
        leads::worker::worker(leads::LeadsState::shared(env, leads_config())),
        mycase::worker::worker(mycase),
        Box::new(move |shutdown: lawos_http::runtime::Shutdown| {
            Box::pin(async move {
                if let Err(e) = activity.run(shutdown.wait()).await {
                    tracing::error!(error = %e, "matters activity consumer stopped");
                }
            })
        }),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8086,
    schema,
    mount,
    workers,
    queues: &[activity::QUEUE],
};
