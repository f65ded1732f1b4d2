//! The notifications service (phase 9): the platform's events become
//! notifications for the people they concern, read in the app (a list, an
//! unread count, a WebSocket on every instance), sent by e-mail (SMTP, or a
//! folder in development) and SMS as each person prefers.
//!
//! - A consumer of `notifications.events` (quorum queue, inbox, DLQ) turns
//!   each event of the catalogue into one notification per recipient, never
//!   for the actor, and only for recipients who may see the resource
//!   (`lawos-authz`, decided for the recipient at delivery time; re-checked on
//!   every read, so a later wall hides it). Bursts are gathered.
//! - Deliveries are rows (QUEUED → SENT | FAILED), sent by a worker with a
//!   lease per attempt and backoff, once per notification and channel.
//! - A live channel on Redis fans every change out to every instance's sockets.

pub mod access;
pub mod catalogue;
pub mod cleanup;
pub mod clients;
pub mod config;
pub mod consume;
pub mod delivery;
pub mod handlers;
pub mod input;
pub mod live;
pub mod mail;
pub mod model;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_db::ServiceSchema;
use lawos_events::QueueBindings;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use routes::configure;
pub use state::NotifyState;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/notifications");

pub const NAME: &str = "notifications";

/// The events this service consumes: the catalogue's notification sources and
/// the user directory it needs to reach people.
pub const QUEUE: QueueBindings = QueueBindings {
    service: NAME,
    bindings: &[
        "matter.stage_changed",
        "matter.member_added",
        "credential.expiring",
        "support_session.created",
        "assignment.created",
        "task.completed",
        "appointment.scheduled",
        "appointment.rescheduled",
        "appointment.cancelled",
        "appointment.reminder_due",
        "message.sent",
        "comment.mentioned",
        "document.uploaded",
        "payment.received",
        "user.created",
        "user.updated",
        "user.deleted",
        "firm_user_profile.created",
        "firm_user_profile.updated",
        "firm_user_profile.deleted",
    ],
};

/// The `notifications` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let state = actix_web::web::Data::from(NotifyState::shared(env));
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

/// Background work: the event consumer, the live subscription, the sender of
/// deliveries, the digest and expiry jobs, and the authorization cache's
/// `permission.changed` subscription.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let state = NotifyState::shared(env);
    vec![
        lawos_authz::Authz::for_service(env).worker(env),
        consume::worker(state.clone(), &env.config.amqp_url),
        state.live.clone().worker(),
        delivery::worker(state.clone()),
        delivery::digest::worker(state.clone()),
        cleanup::worker(state),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8092,
    schema,
    mount,
    workers,
    queues: &[QUEUE],
};
