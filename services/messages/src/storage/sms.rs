//! Queries of the SMS tables: the firm's numbers, the send queue and the
//! Telnyx events taken in. [`firm_of_number`] and [`firms_with_due`] run in a
//! platform transaction (`app.all_firms`), which only these two tables' SELECT
//! policies admit; everything else runs in the firm's own transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::SmsNumber;
use crate::schema::{sms_dispatches, sms_numbers, telnyx_events};

pub async fn insert_number(
    conn: &mut AsyncPgConnection,
    n: SmsNumber,
) -> Result<SmsNumber, ApiError> {
    Ok(diesel::insert_into(sms_numbers::table)
        .values(n)
        .returning(SmsNumber::as_returning())
        .get_result(conn)
        .await?)
}

/// The firm's numbers in use, oldest first (a firm has a handful).
pub async fn numbers(conn: &mut AsyncPgConnection) -> Result<Vec<SmsNumber>, ApiError> {
    Ok(sms_numbers::table
        .filter(sms_numbers::deleted_at.is_null())
        .select(SmsNumber::as_select())
        .order((sms_numbers::created_at.asc(), sms_numbers::id.asc()))
        .limit(500)
        .load(conn)
        .await?)
}

/// Stops using a number; false when the firm has none by that id.
pub async fn delete_number(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        sms_numbers::table
            .find(id)
            .filter(sms_numbers::deleted_at.is_null()),
    )
    .set((
        sms_numbers::deleted_at.eq(now),
        sms_numbers::deleted_by.eq(by),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// The firm whose number `number` is (platform transaction).
pub async fn firm_of_number(
    conn: &mut AsyncPgConnection,
    number: &str,
) -> Result<Option<Uuid>, ApiError> {
    Ok(sms_numbers::table
        .filter(sms_numbers::number.eq(number))
        .filter(sms_numbers::deleted_at.is_null())
        .select(sms_numbers::firm_id)
        .first(conn)
        .await
        .optional()?)
}

/// Whether `number` is one of the firm's numbers in use.
pub async fn is_firm_number(conn: &mut AsyncPgConnection, number: &str) -> Result<bool, ApiError> {
    Ok(firm_of_number(conn, number).await?.is_some())
}

/// Queues message `id` for sending.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(sms_dispatches::table)
        .values((
            sms_dispatches::message_id.eq(id),
            sms_dispatches::firm_id.eq(firm),
            sms_dispatches::next_attempt_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The firms with sends due (platform transaction).
pub async fn firms_with_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, ApiError> {
    Ok(sms_dispatches::table
        .filter(sms_dispatches::done_at.is_null())
        .filter(sms_dispatches::next_attempt_at.le(now))
        .select(sms_dispatches::firm_id)
        .distinct()
        .limit(limit)
        .load(conn)
        .await?)
}

/// Takes up to `limit` due sends of the firm (`FOR UPDATE SKIP LOCKED`: other
/// workers take others) and leases them until `lease_until`, counting the
/// attempt; answers (message id, attempts so far).
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(Uuid, i32)>, ApiError> {
    let ids: Vec<Uuid> = sms_dispatches::table
        .filter(sms_dispatches::done_at.is_null())
        .filter(sms_dispatches::next_attempt_at.le(now))
        .select(sms_dispatches::message_id)
        .order(sms_dispatches::next_attempt_at.asc())
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        diesel::update(sms_dispatches::table.filter(sms_dispatches::message_id.eq_any(&ids)))
            .set((
                sms_dispatches::attempts.eq(sms_dispatches::attempts + 1),
                sms_dispatches::next_attempt_at.eq(lease_until),
            ))
            .returning((sms_dispatches::message_id, sms_dispatches::attempts))
            .get_results(conn)
            .await?,
    )
}

/// The attempts counted for message `id`'s send.
pub async fn attempts(conn: &mut AsyncPgConnection, id: Uuid) -> Result<i32, ApiError> {
    Ok(sms_dispatches::table
        .find(id)
        .select(sms_dispatches::attempts)
        .first(conn)
        .await?)
}

/// The send is over (sent or given up).
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(sms_dispatches::table.find(id))
        .set((
            sms_dispatches::done_at.eq(now),
            sms_dispatches::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Another attempt at `at`.
pub async fn retry_at(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(sms_dispatches::table.find(id))
        .set((
            sms_dispatches::next_attempt_at.eq(at),
            sms_dispatches::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records Telnyx event `event_id` once; false when it was taken in before
/// (by any firm: the id is unique across firms).
pub async fn take_event(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_id: &str,
    event_type: &str,
    provider_message_id: Option<&str>,
    message: Option<Uuid>,
) -> Result<bool, ApiError> {
    let n = diesel::insert_into(telnyx_events::table)
        .values((
            telnyx_events::id.eq(Uuid::now_v7()),
            telnyx_events::firm_id.eq(firm),
            telnyx_events::event_id.eq(event_id),
            telnyx_events::event_type.eq(event_type),
            telnyx_events::provider_message_id.eq(provider_message_id),
            telnyx_events::message_id.eq(message),
        ))
        .on_conflict(telnyx_events::event_id)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Whether Telnyx event `event_id` was taken in by this firm already (a
/// retried delivery names the same receiving number, so the same firm).
pub async fn event_seen(conn: &mut AsyncPgConnection, event_id: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        telnyx_events::table.filter(telnyx_events::event_id.eq(event_id)),
    ))
    .get_result(conn)
    .await?)
}

/// The number an SMS of `channel` goes out from: the one the channel's last
/// message used while it is still the firm's, else the firm's first number.
pub async fn sender_number(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
) -> Result<Option<String>, ApiError> {
    use crate::schema::messages;
    let recent: Option<Option<String>> = messages::table
        .filter(messages::channel_id.eq(channel))
        .filter(messages::firm_number.is_not_null())
        .order((messages::created_at.desc(), messages::id.desc()))
        .select(messages::firm_number)
        .first(conn)
        .await
        .optional()?;
    if let Some(Some(number)) = recent
        && is_firm_number(conn, &number).await?
    {
        return Ok(Some(number));
    }
    Ok(numbers(conn).await?.into_iter().next().map(|n| n.number))
}
