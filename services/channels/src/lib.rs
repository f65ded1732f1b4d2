//! The channels service (phase 6): conversations about a matter, a contact or
//! the firm itself, with their participants and last activity.
//!
//! Access follows the context ([`access`]): a matter's channels are the
//! matter's (lawos-authz, decided in SQL for lists), a contact's are for who
//! reads contacts, internal ones for firm-wide readers and their participants.
//! Entity events `channel.*` and `channel_participant.*` come from the tables'
//! triggers, filed under the matter or contact. Consumed ([`consumer`]):
//! `matter.created` (the matter's default channel), `matter.member_*` (its
//! participants), `message.sent` / `message.received` (last activity). A
//! channel's thread is read and written at the messages service as the caller
//! ([`messages`]). Calls ([`calls`]) are LiveKit rooms opened in a channel,
//! recorded from LiveKit's signed webhooks (`POST /webhooks/livekit/`).

pub mod access;
pub mod calls;
pub mod consumer;
pub mod handlers;
pub mod input;
pub mod lookup;
pub mod messages;
pub mod model;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/channels");

pub const NAME: &str = "channels";

/// The `channels` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The LiveKit settings; a bad one stops the service at start, naming it.
fn livekit_config() -> Option<calls::config::LiveKitConfig> {
    match calls::config::LiveKitConfig::from_env() {
        Ok(config) => config,
        Err(e) => panic!("channels: {e}"),
    }
}

/// The service's routes bound to its state; readiness is its database (matters,
/// contacts, messages and LiveKit are asked per request).
pub fn mount(env: &ServiceEnv) -> Mount {
    mount_with(env, livekit_config())
}

/// [`mount`] with the given LiveKit settings (not from the environment).
pub fn mount_with(env: &ServiceEnv, livekit: Option<calls::config::LiveKitConfig>) -> Mount {
    let tokens = env.service_tokens.clone();
    let state = actix_web::web::Data::new(state::ChannelsState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        audit: env.audit_trail(),
        matters: lookup::Lookup::matters(&env.config.matters_url, tokens.clone()),
        contacts: lookup::Lookup::contacts(&env.config.contacts_url, tokens),
        messages: messages::MessagesClient::new(&env.config.messages_url),
        livekit: livekit.map(calls::livekit::LiveKit::new),
    });
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
/// subscription and the consumer of `channels.events`.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let consumer = consumer::consumer(&env.config.amqp_url, env.db.clone());
    vec![
        Authz::for_service(env).worker(env),
        Box::new(move |shutdown: Shutdown| {
            Box::pin(async move {
                if let Err(e) = consumer.run(shutdown.wait()).await {
                    tracing::error!(error = %e, "channels consumer stopped");
                }
            })
        }),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8087,
    schema,
    mount,
    workers,
    queues: &[consumer::QUEUE],
};
