//! Reminders: one row per (appointment, occurrence, minutes before) for the
//! occurrences still to come, rebuilt when the times or the minutes change;
//! the worker's claim of due ones across firms (`reminder_queue`, `FOR UPDATE
//! SKIP LOCKED`), and the horizon job's claim of series to extend.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Int4, Int8, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::Appointment;

/// Drops `a`'s unsent reminders and creates them again for every occurrence
/// that has not started (a reminder whose time has passed fires at once); a
/// reminder already sent for the same occurrence and minutes is not sent again.
pub async fn rebuild(conn: &mut AsyncPgConnection, a: &Appointment) -> Result<(), ApiError> {
    diesel::sql_query(
        "delete from appointment_reminders where appointment_id = $1 and sent_at is null",
    )
    .bind::<SqlUuid, _>(a.id)
    .execute(conn)
    .await?;
    if a.is_cancelled() || a.reminder_minutes.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "insert into appointment_reminders (id, firm_id, appointment_id, occurrence_starts_at, minutes_before, due_at) \
         select tasks.lawos_uuid_v7(), o.firm_id, o.appointment_id, o.occurrence_starts_at, m, \
                lower(o.during) - make_interval(mins => m) \
         from appointment_occurrences o cross join unnest($2::int4[]) as m \
         where o.appointment_id = $1 and lower(o.during) > now() \
         on conflict do nothing",
    )
    .bind::<SqlUuid, _>(a.id)
    .bind::<Array<Int4>, _>(a.reminder_minutes.clone())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub firm_id: Uuid,
}

/// Up to `limit` due reminders (queue rows), locked for this transaction and
/// skipped by every other claimer until it ends.
pub async fn claim_due(conn: &mut AsyncPgConnection, limit: i64) -> Result<Vec<Claimed>, ApiError> {
    Ok(diesel::sql_query(
        "select reminder_id as id, firm_id from reminder_queue where due_at <= now() \
         order by due_at limit $1 for update skip locked",
    )
    .bind::<Int8, _>(limit)
    .load(conn)
    .await?)
}

/// When the next reminder is due (none queued: `None`).
pub async fn next_due(conn: &mut AsyncPgConnection) -> Result<Option<DateTime<Utc>>, ApiError> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let next: Next = diesel::sql_query("select min(due_at) as at from reminder_queue")
        .get_result(conn)
        .await?;
    Ok(next.at)
}

/// A claimed reminder as its firm sees it (unsent), locked.
#[derive(Debug, Clone, QueryableByName)]
pub struct Due {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub appointment_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub occurrence_starts_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub minutes_before: i32,
    #[diesel(sql_type = Timestamptz)]
    pub due_at: DateTime<Utc>,
}

pub async fn lock_unsent(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Due>, ApiError> {
    use diesel::OptionalExtension;
    Ok(diesel::sql_query(
        "select id, appointment_id, occurrence_starts_at, minutes_before, due_at from appointment_reminders \
         where id = $1 and sent_at is null for update",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn mark_sent(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::sql_query("update appointment_reminders set sent_at = now() where id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A queue row whose reminder is gone from its firm's view (it cannot be sent).
pub async fn drop_queued(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::sql_query("delete from reminder_queue where reminder_id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` series whose horizon is before `before`, locked (skip locked).
pub async fn claim_series(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, ApiError> {
    Ok(diesel::sql_query(
        "select appointment_id as id, firm_id from series_horizon where materialized_until < $1 \
         order by materialized_until limit $2 for update skip locked",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<Int8, _>(limit)
    .load(conn)
    .await?)
}
