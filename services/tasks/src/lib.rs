//! The tasks service (phase 7): tasks (of a matter or firm-level) with
//! assignments, checklists and subtasks; appointments with attendees, RSVP,
//! recurrence and exceptions, the clash check, reminders, notes, consent
//! records and iCalendar feeds.
//!
//! Access is decided with `lawos-authz` (`tasks:*` and `appointments:*`; an
//! item of a matter follows the matter; lists decided in SQL). Entity events
//! come from the tables' triggers; `assignment.*`, `task.completed`,
//! `task.reopened` and `appointment.*` are enqueued by the changing
//! transaction (see [`events`]). The reminder worker and the horizon job run
//! beside the routes in every replica ([`reminders`]).

pub mod access;
pub mod clients;
pub mod events;
pub mod handlers;
pub mod ical;
pub mod input;
pub mod model;
pub mod people;
pub mod recurrence;
pub mod reminders;
pub mod routes;
pub mod schedule;
pub mod schema;
pub mod state;
pub mod status;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/tasks");

pub const NAME: &str = "tasks";

/// `btree_gist` (so the occurrences' GiST index leads with `firm_id`) lives in
/// `public` and must be created by a role allowed to: the setup SQL runs as
/// the schema owner, so it steps back to the migrator's login role for this one
/// statement, only when the extension is missing, then returns to the owner.
fn btree_gist_sql() -> String {
    let owner = lawos_db::ServiceRoles::for_service(NAME).owner;
    format!(
        r#"RESET ROLE;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist') THEN
    CREATE EXTENSION btree_gist WITH SCHEMA public;
  END IF;
END $$;
SET ROLE "{owner}";"#
    )
}

/// The `tasks` schema: platform helpers, outbox and inbox, `btree_gist`, and the migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME), btree_gist_sql()],
    }
}

fn state(env: &ServiceEnv) -> state::TasksState {
    state::TasksState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        audit: env.audit_trail(),
        matters: clients::Lookup::new(&env.config.matters_url, env.service_tokens.clone()),
        contacts: clients::Lookup::new(&env.config.contacts_url, env.service_tokens.clone()),
        firms: clients::FirmSettingsClient::new(&env.config.tenants_url),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(state(env));
    let resolver = actix_web::web::Data::new(env.resolver.clone());
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            cfg.app_data(resolver.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the authorization cache's `permission.changed`
/// subscription, the reminder worker and the horizon job.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    vec![
        Authz::for_service(env).worker(env),
        reminders::worker(env.db.clone()),
        reminders::horizon_worker(env.db.clone()),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8089,
    schema,
    mount,
    workers,
    queues: &[],
};
