//! Test support: a fresh database per test, copied from a migrated template
//! (`CREATE DATABASE … TEMPLATE`), dropped `WITH (FORCE)` when the handle drops.
//! Templates are keyed by the migrations' fingerprint and reused across runs.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use crate::schema_setup::{MigrateError, ServiceSchema, migrate};

/// The password given to runtime roles in tests and local development.
pub const DEV_APP_PASSWORD: &str = "lawos-dev";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub name: String,
    server_url: url::Url,
}

fn server_url() -> url::Url {
    let raw = std::env::var("LAWOS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    url::Url::parse(&raw).unwrap_or_else(|e| panic!("LAWOS_TEST_DATABASE_URL is not a URL: {e}"))
}

fn with_db(base: &url::Url, db: &str) -> String {
    let mut u = base.clone();
    u.set_path(&format!("/{db}"));
    u.to_string()
}

impl TestDatabase {
    /// Creates a database with `schemas` migrated, from a cached template.
    pub async fn create(schemas: &[ServiceSchema]) -> Result<Self, MigrateError> {
        let base = server_url();
        let fingerprint: String = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            for s in schemas {
                h.update(s.fingerprint().as_bytes());
            }
            h.finalize()
                .iter()
                .take(6)
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let template = format!("lawos_tpl_{fingerprint}");
        let admin_url = with_db(&base, "postgres");
        let sql_err = |source| MigrateError::Sql {
            service: "testdb".into(),
            source,
        };
        let mut admin = AsyncPgConnection::establish(&admin_url)
            .await
            .map_err(|source| MigrateError::Connect {
                service: "testdb".into(),
                source,
            })?;
        admin
            .batch_execute("SELECT pg_advisory_lock(hashtext('lawos-test-template'))")
            .await
            .map_err(sql_err)?;
        let built = ensure_template(&mut admin, &base, &template, schemas).await;
        admin
            .batch_execute("SELECT pg_advisory_unlock(hashtext('lawos-test-template'))")
            .await
            .map_err(sql_err)?;
        built?;
        let name = format!("lawos_test_{}", uuid::Uuid::now_v7().simple());
        admin
            .batch_execute(&format!(
                r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#
            ))
            .await
            .map_err(sql_err)?;
        Ok(Self {
            name,
            server_url: base,
        })
    }

    /// An empty database (nothing migrated), for tests of the migration path itself.
    pub async fn empty() -> Result<Self, MigrateError> {
        let base = server_url();
        let sql_err = |source| MigrateError::Sql {
            service: "testdb".into(),
            source,
        };
        let mut admin = AsyncPgConnection::establish(&with_db(&base, "postgres"))
            .await
            .map_err(|source| MigrateError::Connect {
                service: "testdb".into(),
                source,
            })?;
        let name = format!("lawos_test_{}", uuid::Uuid::now_v7().simple());
        admin
            .batch_execute(&format!(r#"CREATE DATABASE "{name}""#))
            .await
            .map_err(sql_err)?;
        Ok(Self {
            name,
            server_url: base,
        })
    }

    /// URL for a superuser connection to this database.
    pub fn admin_url(&self) -> String {
        with_db(&self.server_url, &self.name)
    }

    /// URL for `service`'s runtime role on this database.
    pub fn runtime_url(&self, service: &str) -> String {
        crate::ServiceRoles::for_service(service)
            .runtime_url(&self.admin_url(), DEV_APP_PASSWORD)
            .unwrap_or_else(|e| panic!("bad database URL: {e}"))
    }
}

async fn exists(admin: &mut AsyncPgConnection, name: &str) -> Result<bool, diesel::result::Error> {
    use diesel::sql_types::{Bool, Text};
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let row: Row =
        diesel::sql_query("SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(name)
            .get_result(admin)
            .await?;
    Ok(row.found)
}

async fn ensure_template(
    admin: &mut AsyncPgConnection,
    base: &url::Url,
    template: &str,
    schemas: &[ServiceSchema],
) -> Result<(), MigrateError> {
    let sql_err = |source| MigrateError::Sql {
        service: "testdb".into(),
        source,
    };
    if exists(admin, template).await.map_err(sql_err)? {
        return Ok(());
    }
    let building = format!("{template}_build");
    admin
        .batch_execute(&format!(
            r#"DROP DATABASE IF EXISTS "{building}" WITH (FORCE)"#
        ))
        .await
        .map_err(sql_err)?;
    admin
        .batch_execute(&format!(r#"CREATE DATABASE "{building}""#))
        .await
        .map_err(sql_err)?;
    let url = with_db(base, &building);
    for schema in schemas {
        migrate(&url, schema, DEV_APP_PASSWORD).await?;
    }
    admin
        .batch_execute(&format!(
            r#"ALTER DATABASE "{building}" RENAME TO "{template}""#
        ))
        .await
        .map_err(sql_err)?;
    Ok(())
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = with_db(&self.server_url, "postgres");
        let name = self.name.clone();
        // Drop runs outside any async context guarantee: use a thread with its own runtime.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = AsyncPgConnection::establish(&admin_url).await {
                    let _ = conn
                        .batch_execute(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                        .await;
                }
            });
        });
        let _ = handle.join();
    }
}
