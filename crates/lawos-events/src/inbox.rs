//! Exactly-once effects for consumers: the inbox row and the effect commit in one
//! transaction, so a redelivered event finds its row and the effect is skipped.

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedBoxFuture;
use uuid::Uuid;

use crate::sql::{check_schema, quote_ident};

/// Runs `effect` once per `(event_id, consumer)`: inside one transaction (a
/// savepoint when `conn` is already in one, e.g. a tenant transaction) it inserts
/// into `<schema>.inbox` with `ON CONFLICT DO NOTHING` and runs `effect` only when
/// that insert happened. Returns `Some(result)` when applied now, `None` when the
/// event had already been applied. An `Err` from `effect` rolls the inbox row back
/// too, so the event can be retried.
///
/// ```ignore
/// apply_once(conn, "audit", "audit", env.id, |conn| async move {
///     storage::append(conn, &env).await
/// }.scope_boxed()).await?;
/// ```
#[tracing::instrument(skip_all, fields(%schema, %consumer, %event_id))]
pub async fn apply_once<'a, T, E, F>(
    conn: &mut AsyncPgConnection,
    schema: &str,
    consumer: &str,
    event_id: Uuid,
    effect: F,
) -> Result<Option<T>, E>
where
    T: Send + 'a,
    E: From<diesel::result::Error> + From<crate::Error> + Send + 'a,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
        + Send
        + 'a,
{
    check_schema(schema)?;
    let insert = format!(
        "insert into {}.inbox (event_id, consumer) values ($1, $2) on conflict do nothing",
        quote_ident(schema)
    );
    let consumer = consumer.to_owned();
    conn.transaction(async move |conn| {
        let inserted = diesel::sql_query(insert)
            .bind::<SqlUuid, _>(event_id)
            .bind::<Text, _>(consumer)
            .execute(conn)
            .await?;
        if inserted == 0 {
            tracing::debug!("event already applied; skipping");
            return Ok(None);
        }
        effect(conn).await.map(Some)
    })
    .await
}
