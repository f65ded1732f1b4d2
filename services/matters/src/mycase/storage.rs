//! Queries of the connection, its sealed credentials and the runs. Firm-bound
//! ones take a connection inside the firm's transaction (row-level security
//! decides the firm); [`due_firms`] runs in a platform transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Interval, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use serde_json::Value;
use uuid::Uuid;

use super::input::RunPosition;
use super::model::{Connection, Credentials, FAILED, RUNNING, Run, SUCCEEDED};
use super::schema::{mycase_connections, mycase_credentials, mycase_runs};

/// The firm's live connection (a firm has at most one).
pub async fn connection(conn: &mut AsyncPgConnection) -> Result<Option<Connection>, ApiError> {
    Ok(mycase_connections::table
        .filter(mycase_connections::disconnected_at.is_null())
        .select(Connection::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`connection`], locked for the rest of the transaction: starting a run and
/// changing the connection queue on it, across replicas.
pub async fn lock_connection(conn: &mut AsyncPgConnection) -> Result<Option<Connection>, ApiError> {
    Ok(mycase_connections::table
        .filter(mycase_connections::disconnected_at.is_null())
        .select(Connection::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_connection(
    conn: &mut AsyncPgConnection,
    row: Connection,
) -> Result<Connection, ApiError> {
    Ok(diesel::insert_into(mycase_connections::table)
        .values(row)
        .returning(Connection::as_returning())
        .get_result(conn)
        .await?)
}

/// Writes every setting of `row` (by its id).
pub async fn update_connection(
    conn: &mut AsyncPgConnection,
    row: &Connection,
) -> Result<Connection, ApiError> {
    Ok(diesel::update(mycase_connections::table.find(row.id))
        .set((
            mycase_connections::base_url.eq(&row.base_url),
            mycase_connections::token_url.eq(&row.token_url),
            mycase_connections::grant_type.eq(&row.grant_type),
            mycase_connections::client_id.eq(&row.client_id),
            mycase_connections::interval_minutes.eq(row.interval_minutes),
            mycase_connections::enabled.eq(row.enabled),
            mycase_connections::resync_from.eq(row.resync_from),
            mycase_connections::updated_by.eq(row.updated_by),
            mycase_connections::updated_at.eq(row.updated_at),
        ))
        .returning(Connection::as_returning())
        .get_result(conn)
        .await?)
}

/// Disconnects the connection `id`: it stops syncing and its sealed secrets
/// are destroyed; the row stays for its runs.
pub async fn disconnect(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::delete(mycase_credentials::table.find(id))
        .execute(conn)
        .await?;
    diesel::update(mycase_connections::table.find(id))
        .set((
            mycase_connections::disconnected_at.eq(now),
            mycase_connections::enabled.eq(false),
            mycase_connections::updated_by.eq(by),
            mycase_connections::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn credentials(
    conn: &mut AsyncPgConnection,
    connection: Uuid,
) -> Result<Option<Credentials>, ApiError> {
    Ok(mycase_credentials::table
        .find(connection)
        .select(Credentials::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Stores `row` as the connection's credentials (replacing what was there).
pub async fn put_credentials(
    conn: &mut AsyncPgConnection,
    row: Credentials,
) -> Result<Credentials, ApiError> {
    Ok(diesel::insert_into(mycase_credentials::table)
        .values(&row)
        .on_conflict(mycase_credentials::connection_id)
        .do_update()
        .set((
            mycase_credentials::ciphertext.eq(&row.ciphertext),
            mycase_credentials::key_id.eq(&row.key_id),
            mycase_credentials::has_client_secret.eq(row.has_client_secret),
            mycase_credentials::has_refresh_token.eq(row.has_refresh_token),
            mycase_credentials::updated_at.eq(row.updated_at),
        ))
        .returning(Credentials::as_returning())
        .get_result(conn)
        .await?)
}

/// The latest successful run that supplies the cursor (started after the
/// connection last pointed somewhere new).
pub async fn last_success(
    conn: &mut AsyncPgConnection,
    connection: &Connection,
) -> Result<Option<Run>, ApiError> {
    Ok(mycase_runs::table
        .filter(mycase_runs::connection_id.eq(connection.id))
        .filter(mycase_runs::status.eq(SUCCEEDED))
        .filter(mycase_runs::started_at.ge(connection.resync_from))
        .order(mycase_runs::started_at.desc())
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Fails the firm's RUNNING runs whose heartbeat is older than `cutoff`
/// (their replica stopped): the log keeps them, saying so.
pub async fn fail_abandoned(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    Ok(diesel::sql_query(
        "update matters.mycase_runs set status = 'FAILED', finished_at = $2, \
           errors = errors || jsonb_build_array(jsonb_build_object('kind', null, 'externalId', null, \
             'message', 'the run stopped answering (its instance ended); abandoned')) \
         where status = 'RUNNING' and heartbeat_at < $1",
    )
    .bind::<Timestamptz, _>(cutoff)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?)
}

/// The firm's RUNNING run, if any.
pub async fn running(conn: &mut AsyncPgConnection) -> Result<Option<Run>, ApiError> {
    Ok(mycase_runs::table
        .filter(mycase_runs::status.eq(RUNNING))
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// When the connection's latest run started.
pub async fn latest_start(
    conn: &mut AsyncPgConnection,
    connection: Uuid,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    Ok(mycase_runs::table
        .filter(mycase_runs::connection_id.eq(connection))
        .select(diesel::dsl::max(mycase_runs::started_at))
        .first::<Option<DateTime<Utc>>>(conn)
        .await?)
}

/// Inserts a RUNNING run; `None` when the firm has one already (the index
/// `mycase_runs_running_key` is the lock).
pub async fn insert_run(conn: &mut AsyncPgConnection, run: Run) -> Result<Option<Run>, ApiError> {
    Ok(diesel::insert_into(mycase_runs::table)
        .values(run)
        .on_conflict_do_nothing()
        .returning(Run::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Moves the run's heartbeat on; false when it is no longer RUNNING (it was
/// given up as abandoned: the run must stop).
pub async fn heartbeat(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        mycase_runs::table
            .find(id)
            .filter(mycase_runs::status.eq(RUNNING)),
    )
    .set(mycase_runs::heartbeat_at.eq(now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// What a finished run records.
#[derive(Debug, Clone)]
pub struct Finish {
    pub status: &'static str,
    pub finished_at: DateTime<Utc>,
    pub cursor_after: Option<Value>,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub conflicts: i32,
    pub failed: i32,
    pub conflict_details: Value,
    pub errors: Value,
}

/// Records the end of a RUNNING run; `None` when it was not running any more.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    f: Finish,
) -> Result<Option<Run>, ApiError> {
    Ok(diesel::update(
        mycase_runs::table
            .find(id)
            .filter(mycase_runs::status.eq(RUNNING)),
    )
    .set((
        mycase_runs::status.eq(f.status),
        mycase_runs::finished_at.eq(f.finished_at),
        mycase_runs::heartbeat_at.eq(f.finished_at),
        mycase_runs::cursor_after.eq(f.cursor_after),
        mycase_runs::created.eq(f.created),
        mycase_runs::updated.eq(f.updated),
        mycase_runs::unchanged.eq(f.unchanged),
        mycase_runs::conflicts.eq(f.conflicts),
        mycase_runs::failed.eq(f.failed),
        mycase_runs::conflict_details.eq(f.conflict_details),
        mycase_runs::errors.eq(f.errors),
    ))
    .returning(Run::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn run(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Run>, ApiError> {
    Ok(mycase_runs::table
        .find(id)
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A page (`limit + 1` rows) of the firm's runs, newest first, after `after`.
pub async fn list_runs(
    conn: &mut AsyncPgConnection,
    status: Option<&str>,
    after: Option<RunPosition>,
    limit: i64,
) -> Result<Vec<Run>, ApiError> {
    let mut query = mycase_runs::table
        .select(Run::as_select())
        .order((mycase_runs::started_at.desc(), mycase_runs::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(mycase_runs::status.eq(status.to_owned()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            mycase_runs::started_at
                .lt(at)
                .or(mycase_runs::started_at.eq(at).and(mycase_runs::id.lt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    firm_id: Uuid,
}

/// Firms whose enabled connection has no live run and no run started within
/// its interval (platform transaction: every firm).
pub async fn due_firms(
    conn: &mut AsyncPgConnection,
    lease: std::time::Duration,
    limit: i64,
) -> Result<Vec<Uuid>, ApiError> {
    let lease = diesel::data_types::PgInterval::from_microseconds(
        i64::try_from(lease.as_micros()).unwrap_or(i64::MAX),
    );
    let rows: Vec<Due> = diesel::sql_query(
        "select c.firm_id from matters.mycase_connections c \
         where c.enabled and c.disconnected_at is null and not exists ( \
           select 1 from matters.mycase_runs r where r.connection_id = c.id and ( \
             (r.status = 'RUNNING' and r.heartbeat_at > now() - $1) \
             or r.started_at > now() - make_interval(mins => c.interval_minutes))) \
         order by c.firm_id limit $2",
    )
    .bind::<Interval, _>(lease)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.firm_id).collect())
}

/// Whether the run is still the firm's live one.
pub fn is_failed(run: &Run) -> bool {
    run.status == FAILED
}
