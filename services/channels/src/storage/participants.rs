//! Participants: the active ones of channels, added, removed (soft: `deleted_at`,
//! so the trigger reports `channel_participant.deleted`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::upsert::DecoratableTarget;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{NewParticipant, ParticipantRow, Party};
use crate::schema::channel_participants as p;

/// The active participants of `channels`, by channel, oldest first.
pub async fn active(
    conn: &mut AsyncPgConnection,
    channels: &[Uuid],
) -> Result<Vec<ParticipantRow>, ApiError> {
    Ok(p::table
        .filter(p::channel_id.eq_any(channels))
        .filter(p::deleted_at.is_null())
        .order((p::channel_id, p::created_at, p::id))
        .select(ParticipantRow::as_select())
        .load(conn)
        .await?)
}

/// One page of a channel's active participants after `after` (by id).
pub async fn page(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ParticipantRow>, ApiError> {
    let mut q = p::table
        .filter(p::channel_id.eq(channel))
        .filter(p::deleted_at.is_null())
        .order(p::id)
        .limit(limit + 1)
        .select(ParticipantRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(p::id.gt(after));
    }
    Ok(q.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, channel: Uuid) -> Result<i64, ApiError> {
    Ok(p::table
        .filter(p::channel_id.eq(channel))
        .filter(p::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Adds `party`; 409 when it takes part already.
pub async fn add(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    channel: Uuid,
    party: &Party,
    by: Option<Uuid>,
) -> Result<ParticipantRow, ApiError> {
    diesel::insert_into(p::table)
        .values(NewParticipant::new(firm, channel, party, by))
        .returning(ParticipantRow::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict(e, "The participant takes part in this channel already"))
}

/// Adds `user` unless they take part already; whether they were added.
pub async fn ensure_user(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    channel: Uuid,
    user: Uuid,
    by: Option<Uuid>,
) -> Result<bool, ApiError> {
    let n = diesel::insert_into(p::table)
        .values(NewParticipant::new(firm, channel, &Party::User(user), by))
        .on_conflict((p::firm_id, p::channel_id, p::user_id))
        .filter_target(p::user_id.is_not_null().and(p::deleted_at.is_null()))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// Removes participant `id` of `channel`; the removed row, if it was active.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<ParticipantRow>, ApiError> {
    Ok(diesel::update(
        p::table
            .filter(p::id.eq(id))
            .filter(p::channel_id.eq(channel))
            .filter(p::deleted_at.is_null()),
    )
    .set((p::deleted_at.eq(now), p::updated_at.eq(now)))
    .returning(ParticipantRow::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Removes `user` from `channel`; whether they took part.
pub async fn remove_user(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        p::table
            .filter(p::channel_id.eq(channel))
            .filter(p::user_id.eq(user))
            .filter(p::deleted_at.is_null()),
    )
    .set((p::deleted_at.eq(now), p::updated_at.eq(now)))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Makes `contact` take part in `channel` with `phone` (added, or its phone
/// changed to the number it used last).
pub async fn ensure_contact_phone(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    channel: Uuid,
    contact: Uuid,
    phone: &str,
) -> Result<(), ApiError> {
    diesel::sql_query(
        "insert into channels.channel_participants \
           (id, firm_id, channel_id, participant_type, contact_id, phone) \
         values ($1, $2, $3, 'CONTACT', $4, $5) \
         on conflict (firm_id, channel_id, contact_id) \
           where contact_id is not null and deleted_at is null \
         do update set phone = excluded.phone, updated_at = now() \
           where channel_participants.phone is distinct from excluded.phone",
    )
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(firm)
    .bind::<SqlUuid, _>(channel)
    .bind::<SqlUuid, _>(contact)
    .bind::<Text, _>(phone)
    .execute(conn)
    .await?;
    Ok(())
}
