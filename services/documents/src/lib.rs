//! The documents service (phase 7): documents and their versions, the bytes
//! in S3 (`lawos-storage`) under keys made of ids only
//! (`{firmId}/{documentId}/{versionId}`).
//!
//! - Upload: a document and a PENDING version, answered with a presigned PUT
//!   (length, type and SHA-256 signed); `…/complete` checks the stored object's
//!   size and SHA-256 before the version becomes current (`document.uploaded`).
//!   Small files may come straight to the service (`POST /upload`, multipart,
//!   streamed to S3 and hashed on the way).
//! - Download: a short-lived presigned GET with the file name as
//!   `Content-Disposition`, or the bytes streamed through `…/content`; each
//!   download is `document.viewed`.
//! - Access follows the parent: a matter's documents its reach, grants and
//!   walls (`Resource::new("DOCUMENT", id).under("MATTER", m)`), a client's the
//!   client's, general ones the scope; `privileged` ones need
//!   `documents:privileged`. Lists and search are decided in SQL.
//! - Search: PostgreSQL full text over name, description, tags and the text a
//!   worker extracts from text, Markdown and PDF versions.
//! - Jobs: pending uploads never completed are abandoned (object deleted);
//!   deleted documents' objects are purged after the retention period.

pub mod access;
pub mod config;
pub mod events;
pub mod extract;
pub mod handlers;
pub mod input;
pub mod jobs;
pub mod model;
pub mod parents;
pub mod routes;
pub mod schema;
pub mod state;
pub mod storage;
pub mod views;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_authz::Authz;
use lawos_db::ServiceSchema;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};
use lawos_storage::{ObjectStore, StorageConfig};

pub use config::DocumentsConfig;
pub use routes::configure;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/documents");

pub const NAME: &str = "documents";

/// The `documents` schema: platform helpers, outbox and inbox, and the service's migrations.
pub fn schema() -> ServiceSchema {
    ServiceSchema {
        service: NAME,
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![lawos_events::install_sql(NAME)],
    }
}

/// The settings from the environment; a bad one stops the service at start, naming it.
fn settings(env: &ServiceEnv) -> (StorageConfig, DocumentsConfig) {
    let storage = StorageConfig::from_env(NAME).unwrap_or_else(|e| panic!("documents: {e}"));
    let config = DocumentsConfig::from_env(env.config.body_limit)
        .unwrap_or_else(|e| panic!("documents: {e}"));
    (storage, config)
}

/// The service's state for `env` with the given settings.
pub fn state(
    env: &ServiceEnv,
    storage: &StorageConfig,
    config: DocumentsConfig,
) -> state::DocumentsState {
    state::DocumentsState {
        db: env.db.clone(),
        authz: Authz::for_service(env),
        store: ObjectStore::new(storage),
        audit: env.audit_trail(),
        parents: parents::Parents::new(
            &env.config.matters_url,
            &env.config.contacts_url,
            env.service_tokens.clone(),
        ),
        config,
    }
}

/// The service's routes bound to its state.
pub fn mount(env: &ServiceEnv) -> Mount {
    let (storage, config) = settings(env);
    mount_with(env, &storage, config)
}

/// [`mount`] with settings not from the environment (tests, benchmarks).
pub fn mount_with(env: &ServiceEnv, storage: &StorageConfig, config: DocumentsConfig) -> Mount {
    let state = actix_web::web::Data::new(state(env, storage, config));
    let store = state.store.clone();
    let mut mount = env.mount(
        move |cfg| {
            cfg.app_data(state.clone());
            configure(cfg);
        },
        routes::openapi(),
    );
    // Versions' bytes live in the store: without it the service is not ready.
    mount
        .readiness
        .push(std::sync::Arc::new(lawos_storage::StoreCheck::new(store)));
    mount
}

/// Background work: the authorization cache's `permission.changed`
/// subscription, text extraction, and the cleanup and purge jobs.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let (storage, config) = settings(env);
    workers_with(env, &storage, config)
}

/// [`workers`] with settings not from the environment.
pub fn workers_with(
    env: &ServiceEnv,
    storage: &StorageConfig,
    config: DocumentsConfig,
) -> Vec<Worker> {
    let state = state(env, storage, config);
    vec![
        Authz::for_service(env).worker(env),
        jobs::extraction_worker(state.clone()),
        jobs::maintenance_worker(state),
    ]
}

/// How the runtime starts this service.
pub const SPEC: ServiceSpec = ServiceSpec {
    name: NAME,
    port: 8090,
    schema,
    mount,
    workers,
    queues: &[],
};
