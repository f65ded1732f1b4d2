//! Deliveries: queued once per notification and channel (or per recipient and
//! day for a digest), leased one attempt at a time, then SENT, retried, or FAILED.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Delivery, FAILED, KIND_DIGEST, KIND_NOTIFICATION, QUEUED, SENT};
use crate::schema::deliveries;

fn new_row(
    firm: Uuid,
    user: Uuid,
    notification: Option<Uuid>,
    channel: &str,
    digest_date: Option<NaiveDate>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Delivery {
    Delivery {
        id: Uuid::now_v7(),
        firm_id: firm,
        user_id: user,
        notification_id: notification,
        kind: if notification.is_some() {
            KIND_NOTIFICATION
        } else {
            KIND_DIGEST
        }
        .to_owned(),
        channel: channel.to_owned(),
        digest_date,
        status: QUEUED.to_owned(),
        attempts: 0,
        next_attempt_at: at,
        claimed_until: None,
        address: None,
        provider_id: None,
        last_error: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Queues `channel` for notification `id` of `user`, due `at` (once: a second
/// queueing of the same pair is a no-op).
pub async fn queue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    id: Uuid,
    channel: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let row = new_row(firm, user, Some(id), channel, None, at, now);
    let n = diesel::insert_into(deliveries::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Queues each `(user, notification, channel, due)` of `due` at once (each
/// pair once, as [`queue`]); how many were new.
pub async fn queue_many(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    due: &[(Uuid, Uuid, &str, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    if due.is_empty() {
        return Ok(0);
    }
    let rows: Vec<Delivery> = due
        .iter()
        .map(|(user, id, channel, at)| new_row(firm, *user, Some(*id), channel, None, *at, now))
        .collect();
    Ok(diesel::insert_into(deliveries::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?)
}

/// Queues `user`'s digest of `date` (once per day).
pub async fn queue_digest(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let row = new_row(firm, user, None, "EMAIL", Some(date), now, now);
    let n = diesel::insert_into(deliveries::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Takes up to `batch` due deliveries (any firm: a platform transaction) for
/// one attempt each, leased until `lease_until`; others skip them.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    batch: i64,
) -> Result<Vec<Delivery>, ApiError> {
    let ids: Vec<Uuid> = deliveries::table
        .filter(deliveries::status.eq(QUEUED))
        .filter(deliveries::next_attempt_at.le(now))
        .filter(
            deliveries::claimed_until
                .is_null()
                .or(deliveries::claimed_until.lt(now)),
        )
        .order(deliveries::next_attempt_at.asc())
        .select(deliveries::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
            .set((
                deliveries::claimed_until.eq(lease_until),
                deliveries::attempts.eq(deliveries::attempts + 1),
                deliveries::updated_at.eq(now),
            ))
            .returning(Delivery::as_returning())
            .get_results(conn)
            .await?,
    )
}

/// The attempt succeeded.
pub async fn sent(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    address: &str,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::status.eq(QUEUED)),
    )
    .set((
        deliveries::status.eq(SENT),
        deliveries::address.eq(address),
        deliveries::provider_id.eq(provider_id),
        deliveries::sent_at.eq(now),
        deliveries::claimed_until.eq(None::<DateTime<Utc>>),
        deliveries::last_error.eq(None::<String>),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The attempt failed: again at `retry_at`, or FAILED for good when `None`.
pub async fn failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let status = if retry_at.is_some() { QUEUED } else { FAILED };
    diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::status.eq(QUEUED)),
    )
    .set((
        deliveries::status.eq(status),
        deliveries::last_error.eq(error),
        deliveries::next_attempt_at.eq(retry_at.unwrap_or(now)),
        deliveries::claimed_until.eq(None::<DateTime<Utc>>),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The deliveries of one notification.
pub async fn of_notification(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Vec<Delivery>, ApiError> {
    Ok(deliveries::table
        .filter(deliveries::notification_id.eq(id))
        .order(deliveries::channel.asc())
        .select(Delivery::as_select())
        .load(conn)
        .await?)
}
