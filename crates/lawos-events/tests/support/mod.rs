//! Test support: a fresh PostgreSQL database and a fresh RabbitMQ vhost per test,
//! both removed on drop (also when the test panics).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

const SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// Every test is bounded by this.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(120);

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,lawos_events=info".into()),
        )
        .with_test_writer()
        .try_init();
}

/// A database that exists for one test (dropped `WITH (FORCE)` with it).
pub struct TestDb {
    pub name: String,
    pub url: String,
    _db: lawos_testkit::TestDatabase,
}

async fn admin() -> tokio_postgres::Client {
    let (client, conn) =
        tokio_postgres::connect(&format!("{SERVER}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(conn);
    client
}

impl TestDb {
    pub async fn create() -> Self {
        let db = lawos_testkit::TestDatabase::empty().await.unwrap();
        Self {
            name: db.name.clone(),
            url: db.admin_url(),
            _db: db,
        }
    }

    pub async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.unwrap()
    }

    pub async fn execute(&self, sql: &str) {
        self.conn().await.batch_execute(sql).await.unwrap();
    }

    pub fn pool(&self, size: usize) -> Pool<AsyncPgConnection> {
        let mgr = AsyncDieselConnectionManager::<AsyncPgConnection>::new(&self.url);
        Pool::builder(mgr).max_size(size).build().unwrap()
    }

    /// Kills the relay's database session(s) for `schema` (as a database restart would).
    pub async fn terminate_relay_sessions(&self, schema: &str) -> u64 {
        admin()
            .await
            .execute(
                "select pg_terminate_backend(pid) from pg_stat_activity \
                 where datname = $1 and application_name = $2",
                &[&self.name, &format!("lawos-relay/{schema}")],
            )
            .await
            .unwrap()
    }
}

#[allow(unused_imports)] // not every test file uses both
pub use lawos_testkit::broker::{TestVhost, eventually};
