//! Writing business events into the caller's outbox, inside the caller's
//! transaction, so the event commits (or rolls back) with the change it describes.

use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::sql::{check_schema, notify_channel, quote_ident};
use crate::{Error, EventEnvelope};

/// Appends `envelope` to `<schema>.outbox` and wakes the relay (`NOTIFY` is
/// delivered at commit). Call it on the connection of the open tenant transaction.
#[tracing::instrument(skip_all, fields(%schema, event_type = %envelope.event_type, event_id = %envelope.id))]
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    schema: &str,
    envelope: &EventEnvelope,
) -> Result<(), Error> {
    check_schema(schema)?;
    let payload = serde_json::to_value(envelope)?;
    diesel::sql_query(format!(
        "insert into {}.outbox (id, firm_id, event_type, entity_type, entity_id, payload) \
         values ($1, $2, $3, $4, $5, $6)",
        quote_ident(schema)
    ))
    .bind::<SqlUuid, _>(envelope.id)
    .bind::<Nullable<SqlUuid>, _>(envelope.firm_id)
    .bind::<Text, _>(&envelope.event_type)
    .bind::<Text, _>(&envelope.entity.entity_type)
    .bind::<SqlUuid, _>(envelope.entity.id)
    .bind::<Jsonb, _>(payload)
    .execute(conn)
    .await?;
    diesel::sql_query("select pg_notify($1, '')")
        .bind::<Text, _>(notify_channel(schema))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows of `<schema>.outbox` the relay has not yet had confirmed by the broker
/// (health checks, tests: "a test ends with an empty outbox").
pub async fn unpublished_count(conn: &mut AsyncPgConnection, schema: &str) -> Result<i64, Error> {
    check_schema(schema)?;
    let row: Count = diesel::sql_query(format!(
        "select count(*) as n from {}.outbox where published_at is null",
        quote_ident(schema)
    ))
    .get_result(conn)
    .await?;
    Ok(row.n)
}

/// Deletes published rows older than `older_than`; returns how many went.
/// Published rows are kept for a while as an audit of what was sent.
pub async fn prune_published(
    conn: &mut AsyncPgConnection,
    schema: &str,
    older_than: std::time::Duration,
) -> Result<usize, Error> {
    check_schema(schema)?;
    let secs = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    let n = diesel::sql_query(format!(
        "delete from {}.outbox where published_at < now() - make_interval(secs => $1)",
        quote_ident(schema)
    ))
    .bind::<BigInt, _>(secs)
    .execute(conn)
    .await?;
    Ok(n)
}
