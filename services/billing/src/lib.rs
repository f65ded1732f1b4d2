//! The billing service (phase 8): billing rates, time entries (lawyers' and
//! partner attorneys'), timers, expenses, invoices with gap-free numbers and
//! PDFs, append-only payments with allocations and credit notes, the trust
//! (IOLTA) ledger with its three-way reconciliation, and the work-in-progress
//! and aged-receivables reports.
//!
//! Access is decided with `lawos-authz` (`time-entries:*`, `invoices:*`, and
//! `users:update` for rates; see [`access`]). Matters and clients are checked
//! at the matters and contacts services ([`remote`]). Business events
//! (`time_entry.submitted`, `invoice.issued`, `payment.received`,
//! `trust.disbursed`, …) are enqueued by the changing transaction, filed under
//! the matter; entity events come from the tables' triggers.

pub mod access;
pub mod doc;
pub mod events;
pub mod handlers;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod money;
pub mod pdf;
pub mod remote;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};

pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/billing");

pub const NAME: &str = "billing";

/// The `billing` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The object store settings (`LAWOS_S3_*`, `LAWOS_BILLING_BUCKET`); a bad one
/// stops the service at start, naming it.
fn storage_config() -> lawos_storage::StorageConfig {
    match lawos_storage::StorageConfig::from_env(NAME) {
        Ok(config) => config,
        Err(e) => panic!("billing: {e}"),
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    mount_with(env, lawos_storage::ObjectStore::new(&storage_config()))
}

/// [`mount`] with the given object store (settings not from the environment).
pub fn mount_with(env: &ServiceEnv, pdfs: state::Pdfs) -> Mount {
    let state = actix_web::web::Data::new(state::BillingState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        remote: remote::Remote::new(
            &env.config.matters_url,
            &env.config.contacts_url,
            env.service_tokens.clone(),
        ),
        pdfs,
    });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    )
}

/// Background work: the authorization cache's `permission.changed`
/// subscription, and making sure the PDF bucket exists (development stores;
/// where the service may not create buckets, it only logs).
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let store = lawos_storage::ObjectStore::new(&storage_config());
    let bucket: Worker = Box::new(move |_shutdown| {
        Box::pin(async move {
            if let Err(e) = store.ensure_bucket().await {
                tracing::warn!(error = %e, bucket = store.bucket(), "the invoice PDF bucket could not be checked");
            }
        })
    });
    vec![Authz::for_service(env).worker(env), bucket]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8091,
    schema,
    mount,
    workers,
    queues: &[],
};
