//! The matters service (phase 5): matters (cases), members, parties, notes, budgets and lead intake.
//!
//! It runs, migrates its schema (the platform's outbox and inbox so far) and
//! answers the operational routes; its domain routes arrive with its issue.

use lawos_db::ServiceSchema;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, no_workers};
use lawos_http::{Mount, OpenApi};

pub const NAME: &str = "matters";

/// The `matters` schema: the platform helpers and the outbox.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: None,
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The service's routes (none yet beyond the operational ones) and readiness.
pub fn mount(env: &ServiceEnv) -> Mount {
    env.mount(|_cfg| {}, OpenApi::new("LawOS matters").into_value())
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8086,
    schema,
    mount,
    workers: no_workers,
};
