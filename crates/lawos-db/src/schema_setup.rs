//! Runs one service's migrations: provisions its roles and schema, installs the
//! platform helpers (RLS helper, outbox/inbox), runs the diesel migrations as the
//! owner role with the schema first on the search path, then grants the runtime role.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use sha2::{Digest, Sha256};

use crate::roles::{ServiceRoles, rls_helper_sql};

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

/// Everything needed to create one service's schema.
#[derive(Clone)]
pub struct ServiceSchema {
    pub service: &'static str,
    /// The embedded migrations (`Some(|| MIGRATIONS)` for a `const MIGRATIONS`);
    /// `None` for a service that owns no tables yet.
    pub migrations: Option<fn() -> EmbeddedMigrations>,
    /// Extra idempotent SQL run before the migrations (e.g. the outbox tables).
    pub setup_sql: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("cannot connect to {service}'s database: {source}")]
    Connect {
        service: String,
        source: diesel::ConnectionError,
    },
    #[error("provisioning {service} failed: {source}")]
    Sql {
        service: String,
        source: diesel::result::Error,
    },
    #[error("migrations of {service} failed: {message}")]
    Migration { service: String, message: String },
    #[error("migration task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl ServiceSchema {
    pub fn roles(&self) -> ServiceRoles {
        ServiceRoles::for_service(self.service)
    }

    /// A fingerprint of the migrations and setup SQL, for template databases.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.service.as_bytes());
        // Migration names, not contents: a landed migration is never edited, only added to.
        if let Some(migrations) = self.migrations
            && let Ok(list) =
                diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&migrations())
        {
            for m in list {
                hasher.update(m.name().to_string().as_bytes());
            }
        }
        for sql in &self.setup_sql {
            hasher.update(sql.as_bytes());
        }
        hasher.update(rls_helper_sql(self.service).as_bytes());
        hasher.update(self.roles().provision_sql("").as_bytes());
        hasher.update(self.roles().grants_sql().as_bytes());
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Runs `schema`'s migrations on the database at `admin_url` (a role allowed to
/// create roles and schemas, or a member of the owner role). Safe to run again.
pub async fn migrate(
    admin_url: &str,
    schema: &ServiceSchema,
    app_password: &str,
) -> Result<(), MigrateError> {
    let url = admin_url.to_owned();
    let schema = schema.clone();
    let password = app_password.to_owned();
    tokio::task::spawn_blocking(move || migrate_blocking(&url, &schema, &password)).await?
}

/// Reverts every migration of `schema` (used by the reversibility test).
pub async fn revert_all(admin_url: &str, schema: &ServiceSchema) -> Result<(), MigrateError> {
    let url = admin_url.to_owned();
    let schema = schema.clone();
    tokio::task::spawn_blocking(move || {
        let Some(migrations) = schema.migrations else {
            return Ok(());
        };
        let mut conn = open_as_owner(&url, &schema)?;
        conn.revert_all_migrations(migrations())
            .map_err(|e| MigrateError::Migration {
                service: schema.service.into(),
                message: e.to_string(),
            })?;
        Ok(())
    })
    .await?
}

fn sql_err(service: &str) -> impl Fn(diesel::result::Error) -> MigrateError + '_ {
    move |source| MigrateError::Sql {
        service: service.to_owned(),
        source,
    }
}

fn open_as_owner(url: &str, schema: &ServiceSchema) -> Result<SyncConn, MigrateError> {
    let service = schema.service;
    let roles = schema.roles();
    let mut conn = SyncConn::establish(url).map_err(|source| MigrateError::Connect {
        service: service.into(),
        source,
    })?;
    conn.batch_execute(&format!(
        r#"SET ROLE "{}"; SET search_path TO "{}", public;"#,
        roles.owner, roles.schema
    ))
    .map_err(sql_err(service))?;
    Ok(conn)
}

fn migrate_blocking(url: &str, schema: &ServiceSchema, password: &str) -> Result<(), MigrateError> {
    let service = schema.service;
    let roles = schema.roles();
    {
        let mut admin = SyncConn::establish(url).map_err(|source| MigrateError::Connect {
            service: service.into(),
            source,
        })?;
        admin
            .batch_execute(&roles.provision_sql(password))
            .map_err(sql_err(service))?;
    }
    let mut conn = open_as_owner(url, schema)?;
    // One migrator per service at a time (parallel Jobs or test processes).
    conn.batch_execute(&format!(
        "SELECT pg_advisory_lock(hashtext('lawos-migrate-{service}'))"
    ))
    .map_err(sql_err(service))?;
    let result = (|| {
        conn.batch_execute(&rls_helper_sql(&roles.schema))
            .map_err(sql_err(service))?;
        for sql in &schema.setup_sql {
            conn.batch_execute(sql).map_err(sql_err(service))?;
        }
        if let Some(migrations) = schema.migrations {
            let applied =
                conn.run_pending_migrations(migrations())
                    .map_err(|e| MigrateError::Migration {
                        service: service.into(),
                        message: e.to_string(),
                    })?;
            tracing::info!(service, applied = applied.len(), "migrations applied");
        }
        conn.batch_execute(&roles.grants_sql())
            .map_err(sql_err(service))
    })();
    let _ = conn.batch_execute(&format!(
        "SELECT pg_advisory_unlock(hashtext('lawos-migrate-{service}'))"
    ));
    result
}
