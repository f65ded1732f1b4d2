//! Tenant-scoped transactions: the first statement of every tenant transaction
//! sets `app.firm_id` / `app.user_id` with `set_config(…, true)` (transaction-local),
//! which the row-level-security policies read. No session-level `SET` is ever used.

use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::{ApiError, FirmId, UserId};
pub use scoped_futures::{ScopedBoxFuture, ScopedFutureExt};

use crate::pool::DbPool;

/// Who the transaction acts for.
#[derive(Debug, Clone, Default)]
pub struct TenantCtx {
    pub firm_id: Option<FirmId>,
    pub user_id: Option<UserId>,
    /// The support administrator acting as `user_id`, if any.
    pub act_as: Option<String>,
    /// Platform-level reads across firms (firm registry, tenant resolution). Only
    /// tables whose policy admits it (the firm registry) honour it.
    pub all_firms: bool,
    pub traceparent: Option<String>,
}

impl TenantCtx {
    pub fn firm(firm_id: FirmId, user_id: Option<UserId>) -> Self {
        Self {
            firm_id: Some(firm_id),
            user_id,
            ..Self::default()
        }
    }

    pub fn platform(user_id: Option<UserId>) -> Self {
        Self {
            user_id,
            all_firms: true,
            ..Self::default()
        }
    }
}

/// Runs `f` in one transaction bound to `ctx`. Commits on `Ok`, rolls back on `Err`.
///
/// ```ignore
/// with_tenant(&pool, &ctx, |conn| async move { storage::get(conn, id).await }.scope_boxed()).await
/// ```
pub async fn with_tenant<'a, T, F>(pool: &DbPool, ctx: &TenantCtx, f: F) -> Result<T, ApiError>
where
    T: Send + 'a,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, ApiError>>
        + Send
        + 'a,
{
    let mut conn = pool.get().await.map_err(ApiError::unavailable)?;
    let mut ctx = ctx.clone();
    // Events written in this transaction carry the request's trace context.
    if ctx.traceparent.is_none() {
        ctx.traceparent = lawos_telemetry::traceparent_from_current_span();
    }
    conn.transaction(async move |conn| {
        set_context(conn, &ctx).await?;
        f(conn).await
    })
    .await
}

/// The first statement of a tenant transaction.
pub async fn set_context(conn: &mut AsyncPgConnection, ctx: &TenantCtx) -> Result<(), ApiError> {
    diesel::sql_query(
        "select set_config('app.firm_id', coalesce($1, ''), true), \
                set_config('app.user_id', coalesce($2, ''), true), \
                set_config('app.act_as', coalesce($3, ''), true), \
                set_config('app.all_firms', $4, true), \
                set_config('app.traceparent', coalesce($5, ''), true)",
    )
    .bind::<Nullable<Text>, _>(ctx.firm_id.map(|f| f.to_string()))
    .bind::<Nullable<Text>, _>(ctx.user_id.map(|u| u.to_string()))
    .bind::<Nullable<Text>, _>(ctx.act_as.clone())
    .bind::<Text, _>(if ctx.all_firms { "on" } else { "off" })
    .bind::<Nullable<Text>, _>(ctx.traceparent.clone())
    .execute(conn)
    .await?;
    Ok(())
}
