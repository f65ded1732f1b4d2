//! The messages service (phase 6): messages in channels (the channels service
//! owns channels), comments on matters, clients, documents, appointments and
//! time entries, full-text search, and SMS over Telnyx.
//!
//! - Messages copy their channel's context and kind when written, so lists,
//!   the polymorphic `?context_type=&context_id=` query and search are decided
//!   in SQL with `lawos-authz` ([`access`]); a thread or a message is read
//!   after channels confirms the caller sees the channel.
//! - SMS: queued and sent by a worker through `lawos-telnyx` with retries;
//!   the webhook `POST /webhooks/telephony/` takes in signed inbound messages
//!   and delivery receipts ([`sms`]).
//! - Comments: threads one level deep, `@mentions` of firm members, edits
//!   kept, soft delete; access is the parent resource's ([`comments`]).
//!
//! Events: `message.sent`, `message.received`, `message.delivery_updated`,
//! `message.updated`, `message.deleted`, `comment.created|updated|deleted`,
//! `comment.mentioned` from service code ([`events`]), filed under the
//! matter or contact; `sms_number.*` from the table's trigger.

pub mod access;
pub mod clients;
pub mod comments;
pub mod config;
pub mod events;
pub mod handlers;
pub mod input;
pub mod model;
pub mod outgoing;
pub mod routes;
pub mod schema;
pub mod sms;
pub mod state;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use config::MessagesConfig;
pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/messages");

pub const NAME: &str = "messages";

/// The `messages` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The settings from the environment; a bad one stops the service at start, naming it.
fn settings(env: &ServiceEnv) -> MessagesConfig {
    match MessagesConfig::from_env(&env.config) {
        Ok(config) => config,
        Err(e) => panic!("messages: {e}"),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    mount_with(env, settings(env))
}

/// [`mount`] with the given settings (not from the environment).
pub fn mount_with(env: &ServiceEnv, config: MessagesConfig) -> Mount {
    let sms = sms::SmsState::shared(env, config.sms);
    let state = actix_web::web::Data::new(state::MessagesState::new(
        env,
        &config.auth_url,
        sms.clone(),
    ));
    let sms = actix_web::web::Data::from(sms);
    let resolver = actix_web::web::Data::new(env.resolver.clone());
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            cfg.app_data(sms.clone());
            cfg.app_data(resolver.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the authorization cache's `permission.changed`
/// subscription and the SMS send worker.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    workers_with(env, settings(env))
}

/// [`workers`] with the given settings.
pub fn workers_with(env: &ServiceEnv, config: MessagesConfig) -> Vec<Worker> {
    vec![
        Authz::for_service(env).worker(env),
        sms::worker::worker(sms::SmsState::shared(env, config.sms)),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8088,
    schema,
    mount,
    workers,
    queues: &[],
};
