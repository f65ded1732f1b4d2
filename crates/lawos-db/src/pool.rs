//! The connection pool. A connection that comes back inside a transaction (a
//! request dropped mid-flight) is reported broken by diesel-async and discarded,
//! so the next checkout never inherits another firm's `app.firm_id`.
//!
//! Checkout checks a connection with a round trip (`SELECT 1`) only when it sat
//! idle longer than [`VERIFY_IDLE_AFTER`]: a connection in steady use has just
//! proved itself, and a `SELECT 1` per request would add a quarter to the
//! round trips of a read (begin, query, commit). A connection the server closed
//! while it was in busy use still fails its request's first statement; the
//! connection is then broken and dropped, and the next request gets another.

use std::time::Duration;

use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

/// Idle time after which a checkout verifies the connection first.
pub const VERIFY_IDLE_AFTER: Duration = Duration::from_secs(1);

pub type DbPool = deadpool::managed::Pool<Manager>;

/// diesel-async's manager, with the verification round trip skipped for
/// connections used within [`VERIFY_IDLE_AFTER`].
pub struct Manager {
    inner: AsyncDieselConnectionManager<AsyncPgConnection>,
    verify_idle_after: Duration,
}

impl Manager {
    pub fn new(url: &str, verify_idle_after: Duration) -> Self {
        let mut config = ManagerConfig::default();
        // The broken-transaction check only; `SELECT 1` is decided in `recycle`.
        config.recycling_method = RecyclingMethod::Fast;
        Self {
            inner: AsyncDieselConnectionManager::new_with_config(url, config),
            verify_idle_after,
        }
    }
}

impl deadpool::managed::Manager for Manager {
    type Type = AsyncPgConnection;
    type Error = PoolError;

    async fn create(&self) -> Result<AsyncPgConnection, PoolError> {
        self.inner.create().await
    }

    async fn recycle(
        &self,
        conn: &mut AsyncPgConnection,
        metrics: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<PoolError> {
        self.inner.recycle(conn, metrics).await?;
        if metrics.last_used() >= self.verify_idle_after {
            conn.batch_execute("SELECT 1")
                .await
                .map_err(PoolError::QueryError)?;
        }
        Ok(())
    }
}

/// Builds a pool of at most `max_size` connections to `url`. Connections open lazily.
pub fn connect(url: &str, max_size: usize) -> Result<DbPool, lawos_core::ApiError> {
    deadpool::managed::Pool::builder(Manager::new(url, VERIFY_IDLE_AFTER))
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(lawos_core::ApiError::internal)
}
