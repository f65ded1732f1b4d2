//! Reads in one round trip. A request that only reads (a GET) needs the tenant
//! transaction for row-level security, but not to wait for its `COMMIT`:
//!
//! 1. `BEGIN` + the context's `set_config` ([`crate::tenant::begin_sql`]) and the
//!    caller's queries are sent together (diesel-async pipelines futures polled
//!    at once on a shared `&AsyncPgConnection`). PostgreSQL runs them in order,
//!    so the queries run inside the transaction with the firm set; a query that
//!    needs a prepare first is sent after the prepare's answer, later still.
//! 2. The caller gets its rows as soon as they arrive.
//! 3. `COMMIT` (a rollback if anything failed) finishes in a task of its own,
//!    which then returns the connection to the pool.
//!
//! The connection is marked broken from the start until that `COMMIT` succeeds:
//! if the request is dropped half-way, or anything fails, the pool discards the
//! connection instead of handing out an open transaction. Writes keep to
//! [`crate::with_tenant`] (their answer must wait for the commit).

use diesel::connection::TransactionManagerStatus;
use diesel_async::{
    AnsiTransactionManager, AsyncPgConnection, SimpleAsyncConnection, TransactionManager,
};
use futures_util::future::BoxFuture;
use lawos_core::ApiError;

use crate::pool::DbPool;
use crate::tenant::{TenantCtx, begin_sql};

/// Runs the read `f` inside a tenant transaction bound to `ctx`, in one round
/// trip; see the module documentation. `f` gets a shared connection: diesel's
/// `RunQueryDsl` methods take `&mut &AsyncPgConnection`
/// (`let mut conn = conn; query.first(&mut conn)`), and several queries polled
/// together (`futures_util::try_join!`) travel in the same round trip too.
pub async fn read<T, F>(pool: &DbPool, ctx: &TenantCtx, f: F) -> Result<T, ApiError>
where
    T: Send,
    F: for<'c> FnOnce(&'c AsyncPgConnection) -> BoxFuture<'c, Result<T, ApiError>>,
{
    let mut conn = pool.get().await.map_err(ApiError::unavailable)?;
    let mut ctx = ctx.clone();
    if ctx.traceparent.is_none() {
        ctx.traceparent = lawos_telemetry::traceparent_from_current_span();
    }
    let begin = begin_sql(&ctx);
    <AnsiTransactionManager as TransactionManager<AsyncPgConnection>>::transaction_manager_status_mut(
        &mut conn,
    )
    .set_in_error();
    let (begun, value) = {
        let shared: &AsyncPgConnection = &conn;
        let mut begin_conn = shared;
        futures_util::join!(begin_conn.batch_execute(&begin), f(shared))
    };
    let begun_ok = begun.is_ok();
    tokio::spawn(async move {
        let mut shared: &AsyncPgConnection = &conn;
        // COMMIT of a failed transaction rolls it back; either way it ends here.
        if shared.batch_execute("COMMIT").await.is_ok() && begun_ok {
            *<AnsiTransactionManager as TransactionManager<AsyncPgConnection>>::transaction_manager_status_mut(&mut conn) =
                TransactionManagerStatus::default();
        }
        drop(conn);
    });
    begun?;
    value
}
