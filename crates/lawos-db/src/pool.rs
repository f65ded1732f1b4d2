//! The connection pool. A connection that comes back inside a transaction (a
//! request dropped mid-flight) is reported broken by diesel-async and discarded,
//! so the next checkout never inherits another firm's `app.firm_id`.

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;

pub type DbPool = Pool<AsyncPgConnection>;

/// Builds a pool of at most `max_size` connections to `url`. Connections open lazily.
pub fn connect(url: &str, max_size: usize) -> Result<DbPool, lawos_core::ApiError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(lawos_core::ApiError::internal)
}
