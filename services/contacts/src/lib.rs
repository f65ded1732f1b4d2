//! The contacts service (phase 4): contacts (people and organisations, with
//! e-mails, E.164 phones and addresses; `?search_channels=` across them by
//! trigram similarity), clients (the Backstage Client model with `ssn` and
//! `dateOfBirth` encrypted in the application, [`pii`]), the people of a client,
//! duplicate detection on `contact.created` ([`duplicates`]) with merging, and
//! the conflict check ([`conflicts`]).
//!
//! Authorization: see [`access`] — the `clients:*` scopes govern contacts and
//! clients alike (rbac has no `contacts:*` scopes).
//!
//! Events: entity events `contact.*`, `client.*`, `client_pii.*` (ciphertext
//! only), `client_contact.*`, `duplicate_candidate.*` from the tables' triggers;
//! the business event `contact.merged` ([`events`]). Consumed: `contact.created`
//! (queue `contacts.events`) and `permission.changed` (authorization cache).
//! Settings: [`config`].

pub mod access;
pub mod channels;
pub mod config;
pub mod conflicts;
pub mod duplicates;
pub mod events;
pub mod handlers;
pub mod input;
pub mod matters;
pub mod model;
pub mod pii;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;
pub mod views;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/contacts");

pub const NAME: &str = "contacts";

/// `pg_trgm` (for `?search_channels=`) lives in `public` and must be created by
/// a role allowed to: the setup SQL runs as the schema owner, which may not
/// create extensions, so it steps back to the migrator's login role for this
/// one statement (and only when the extension is missing: a database where an
/// administrator created it already needs no such privilege), then returns to
/// the owner role.
fn trigram_sql() -> String {
    let owner = lawos_db::ServiceRoles::for_service(NAME).owner;
    format!(
        r#"RESET ROLE;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE EXTENSION pg_trgm WITH SCHEMA public;
  END IF;
END $$;
SET ROLE "{owner}";"#
    )
}

/// The `contacts` schema: platform helpers, outbox and inbox, `pg_trgm`, and the
/// service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME), trigram_sql()],
    }
}

/// The service's settings; a bad one stops the service at start, naming it.
fn contacts_config() -> config::ContactsConfig {
    match config::ContactsConfig::from_env() {
        Ok(config) => config,
        Err(e) => panic!("contacts: {e}"),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::new(state::ContactsState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        audit: env.audit_trail(),
        config: contacts_config(),
        matters: matters::MattersClient::new(&env.config.matters_url, env.service_tokens.clone()),
    });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the `permission.changed` invalidation of cached
/// capabilities, and the duplicate check on `contact.created`.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let consumer = duplicates::consumer(env.config.amqp_url.clone(), env.db.clone());
    vec![
        Authz::for_service(env).worker(env),
        Box::new(move |shutdown: Shutdown| {
            Box::pin(async move {
                if let Err(e) = consumer.run(shutdown.wait()).await {
                    tracing::error!(error = %e, "contacts duplicate consumer stopped");
                }
            })
        }),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8085,
    schema,
    mount,
    workers,
    queues: &[duplicates::QUEUE],
};
