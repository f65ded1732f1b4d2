//! Tenant-scoped transactions: the first statement of every tenant transaction
//! sets `app.firm_id` / `app.user_id` with `set_config(…, true)` (transaction-local),
//! which the row-level-security policies read. No session-level `SET` is ever used.

use diesel::sql_types::{Nullable, Text};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
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
/// The transaction opens in one round trip: `BEGIN` and the `set_config` of the
/// context travel together as one simple-protocol batch ([`begin_sql`]), through
/// diesel's transaction manager, so nesting, rollback and the pool's broken-
/// connection check behave as with `conn.transaction`. A read is then three
/// round trips (begin, the query, `COMMIT`) where it used to be four.
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
    let conn: &mut AsyncPgConnection = &mut conn;
    AnsiTransactionManager::begin_transaction_sql(conn, &begin_sql(&ctx)).await?;
    match f(conn).await {
        Ok(value) => {
            <AnsiTransactionManager as TransactionManager<AsyncPgConnection>>::commit_transaction(
                conn,
            )
            .await?;
            Ok(value)
        }
        Err(error) => {
            // The caller's error is the one to answer; a failed rollback leaves
            // the transaction manager broken, and the pool discards the connection.
            let _ = <AnsiTransactionManager as TransactionManager<AsyncPgConnection>>::rollback_transaction(conn).await;
            Err(error)
        }
    }
}

/// `BEGIN` and the context's `set_config` calls as one batch (simple protocol,
/// so values are SQL literals: uuids as they print, other text quoted by
/// [`literal`]).
pub fn begin_sql(ctx: &TenantCtx) -> String {
    let text = |v: Option<String>| literal(v.as_deref().unwrap_or(""));
    format!(
        "BEGIN; SELECT set_config('app.firm_id', {}, true), \
         set_config('app.user_id', {}, true), \
         set_config('app.act_as', {}, true), \
         set_config('app.all_firms', '{}', true), \
         set_config('app.traceparent', {}, true)",
        text(ctx.firm_id.map(|f| f.to_string())),
        text(ctx.user_id.map(|u| u.to_string())),
        text(ctx.act_as.clone()),
        if ctx.all_firms { "on" } else { "off" },
        text(ctx.traceparent.clone()),
    )
}

/// The transaction's firm in SQL, as the policies read it.
///
/// A table whose policy also admits platform reads (`lawos_tenant_table(…, true)`:
/// `firm_id = <firm> OR <all firms>`) gives the planner no index condition on
/// `firm_id`: the `OR` hides it. Its queries name the firm themselves, with this
/// expression (stable, so an index condition) or with the firm as a parameter,
/// or the `(firm_id, …)` indexes go unused and every firm's rows are scanned.
pub const CURRENT_FIRM_SQL: &str = "nullif(current_setting('app.firm_id', true), '')::uuid";

/// [`CURRENT_FIRM_SQL`] as a diesel expression: `.filter(t::firm_id.eq(current_firm()))`.
pub fn current_firm() -> diesel::expression::SqlLiteral<diesel::sql_types::Uuid> {
    diesel::dsl::sql::<diesel::sql_types::Uuid>(CURRENT_FIRM_SQL)
}

/// `value` as a PostgreSQL string literal, whatever `standard_conforming_strings`
/// says (as libpq's `PQescapeLiteral`): quotes doubled, and with any backslash
/// the `E'…'` form with backslashes doubled. NUL cannot occur in a literal and
/// is dropped.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 3);
    if value.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in value.chars() {
        match c {
            '\0' => {}
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_for_either_setting_of_standard_conforming_strings() {
        assert_eq!(literal(""), "''");
        assert_eq!(literal("support:alice"), "'support:alice'");
        assert_eq!(literal("o'brien"), "'o''brien'");
        assert_eq!(literal("a\\'b"), "E'a\\\\''b'");
        assert_eq!(literal("nul\0byte"), "'nulbyte'");
    }

    #[test]
    fn the_begin_batch_sets_every_setting() {
        let firm = FirmId::new();
        let sql = begin_sql(&TenantCtx {
            firm_id: Some(firm),
            act_as: Some("x'); drop table t; --".into()),
            ..TenantCtx::default()
        });
        assert!(sql.starts_with("BEGIN; SELECT set_config('app.firm_id', '"));
        assert!(sql.contains(&format!("'{firm}'")));
        assert!(sql.contains("'x''); drop table t; --'"));
        assert!(sql.contains("set_config('app.all_firms', 'off', true)"));
    }
}
