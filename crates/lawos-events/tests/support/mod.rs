//! Test support: a fresh PostgreSQL database and a fresh RabbitMQ vhost per test,
//! both removed on drop (also when the test panics).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
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

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// A database that exists for one test; `DROP … WITH (FORCE)` on drop.
pub struct TestDb {
    pub name: String,
    pub url: String,
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
        let name = unique("lawos_events_test");
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        let url = format!("{SERVER}/{name}");
        Self { name, url }
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

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop may run inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                admin()
                    .await
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
            })
        })
        .join();
    }
}

fn rabbitmqctl(args: &[&str]) -> String {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl runs");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A RabbitMQ vhost that exists for one test (guest has full rights); deleted on drop.
pub struct TestVhost {
    pub name: String,
}

impl TestVhost {
    pub async fn create() -> Self {
        let name = unique("lawos_events_test");
        let n = name.clone();
        tokio::task::spawn_blocking(move || {
            rabbitmqctl(&["-q", "add_vhost", &n]);
            rabbitmqctl(&["-q", "set_permissions", "-p", &n, "guest", ".*", ".*", ".*"]);
        })
        .await
        .unwrap();
        Self { name }
    }

    pub fn amqp_url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:5672/{}", self.name)
    }

    /// Force-closes this vhost's connections whose client-provided name contains
    /// `name_part` (e.g. `lawos-relay`), like a broker restart would. Returns how many.
    pub async fn close_connections(&self, name_part: &str) -> usize {
        let vhost = self.name.clone();
        let part = name_part.to_owned();
        tokio::task::spawn_blocking(move || {
            let listing = rabbitmqctl(&[
                "-q",
                "list_connections",
                "--no-table-headers",
                "pid",
                "vhost",
                "client_properties",
            ]);
            // Close in parallel: each rabbitmqctl call costs about a second.
            let closers: Vec<_> = listing
                .lines()
                .filter_map(|line| {
                    let mut cols = line.splitn(3, '\t');
                    let (pid, vh, props) = (cols.next()?, cols.next()?, cols.next()?);
                    (vh == vhost && props.contains(&part)).then(|| pid.to_owned())
                })
                .map(|pid| {
                    std::thread::spawn(move || {
                        // The connection may already be gone: ignore failures.
                        let _ = Command::new("rabbitmqctl")
                            .args(["-q", "close_connection", &pid, "test: forced close"])
                            .output();
                    })
                })
                .collect();
            let closed = closers.len();
            for c in closers {
                let _ = c.join();
            }
            closed
        })
        .await
        .unwrap()
    }
}

impl Drop for TestVhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["-q", "delete_vhost", &self.name])
            .output();
    }
}

/// Polls `check` every 50 ms until it returns true or `within` elapses.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
