//! The notifications service (phase 9): notifications, preferences and deliveries.
//!
//! It runs, migrates its schema (the platform's outbox and inbox so far) and
//! answers the operational routes; its domain routes arrive with its issue.

use lawos_db::ServiceSchema;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, no_workers};
use lawos_http::{Mount, OpenApi};

pub const NAME: &str = "notifications";

/// The `notifications` schema: the platform helpers and the outbox.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: None,
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes (none yet beyond the operational ones) and readiness.
pub fn mount(env: &ServiceEnv) -> Mount {
    env.mount(|_cfg| {}, OpenApi::new("LawOS notifications").into_value())
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8092,
    schema,
    mount,
    workers: no_workers,
    queues: &[],
};
