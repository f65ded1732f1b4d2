//! Calls, their participant sessions and the LiveKit webhooks applied.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::calls::model::{ACTIVE, CallParticipantRow, CallRow, ENDED, NewCall, Session};
use crate::schema::{call_participants as cp, call_webhook_events as hooks, calls};

pub async fn insert(conn: &mut AsyncPgConnection, new: NewCall) -> Result<CallRow, ApiError> {
    Ok(diesel::insert_into(calls::table)
        .values(new)
        .returning(CallRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Call `id` of `channel`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    id: Uuid,
) -> Result<Option<CallRow>, ApiError> {
    Ok(calls::table
        .find(id)
        .filter(calls::channel_id.eq(channel))
        .select(CallRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Call `id` of room `room`, locked for the rest of the transaction.
pub async fn lock_room(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    room: &str,
) -> Result<Option<CallRow>, ApiError> {
    Ok(calls::table
        .find(id)
        .filter(calls::room_name.eq(room))
        .select(CallRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// One page (`limit + 1` rows) of `channel`'s calls, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<CallRow>, ApiError> {
    let mut q = calls::table
        .filter(calls::channel_id.eq(channel))
        .order((calls::created_at.desc(), calls::id.desc()))
        .limit(limit + 1)
        .select(CallRow::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            calls::created_at
                .lt(at)
                .or(calls::created_at.eq(at).and(calls::id.lt(id))),
        );
    }
    Ok(q.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, channel: Uuid) -> Result<i64, ApiError> {
    Ok(calls::table
        .filter(calls::channel_id.eq(channel))
        .count()
        .get_result(conn)
        .await?)
}

/// The participant sessions of `calls`, in the order they joined.
pub async fn people(
    conn: &mut AsyncPgConnection,
    calls: &[Uuid],
) -> Result<Vec<CallParticipantRow>, ApiError> {
    Ok(cp::table
        .filter(cp::call_id.eq_any(calls))
        .order((cp::joined_at, cp::id))
        .select(CallParticipantRow::as_select())
        .load(conn)
        .await?)
}

/// Records webhook `event_id` for `call`; `false` when it was applied before.
pub async fn first_delivery(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_id: &str,
    event: &str,
    call: Uuid,
) -> Result<bool, ApiError> {
    let n = diesel::insert_into(hooks::table)
        .values((
            hooks::firm_id.eq(firm),
            hooks::event_id.eq(event_id),
            hooks::event.eq(event),
            hooks::call_id.eq(call),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// The call is under way since `at`.
pub async fn start(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<CallRow, ApiError> {
    Ok(diesel::update(calls::table.find(id))
        .set((
            calls::status.eq(ACTIVE),
            calls::started_at.eq(at),
            calls::updated_at.eq(Utc::now()),
        ))
        .returning(CallRow::as_returning())
        .get_result(conn)
        .await?)
}

/// The call ended at `at` after `duration` seconds; open sessions end with it.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    started: DateTime<Utc>,
    at: DateTime<Utc>,
    duration: i32,
) -> Result<CallRow, ApiError> {
    diesel::update(
        cp::table
            .filter(cp::call_id.eq(id))
            .filter(cp::left_at.is_null()),
    )
    .set(cp::left_at.eq(at))
    .execute(conn)
    .await?;
    Ok(diesel::update(calls::table.find(id))
        .set((
            calls::status.eq(ENDED),
            calls::started_at.eq(started),
            calls::ended_at.eq(at),
            calls::duration_seconds.eq(duration),
            calls::updated_at.eq(Utc::now()),
        ))
        .returning(CallRow::as_returning())
        .get_result(conn)
        .await?)
}

/// A participant session began (once per LiveKit participant sid).
pub async fn joined(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    call: Uuid,
    who: &Session,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(cp::table)
        .values((
            cp::id.eq(Uuid::now_v7()),
            cp::firm_id.eq(firm),
            cp::call_id.eq(call),
            cp::participant_sid.eq(&who.sid),
            cp::identity.eq(&who.identity),
            cp::user_id.eq(who.identity.parse::<Uuid>().ok()),
            cp::name.eq(&who.name),
            cp::joined_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// A participant session ended.
pub async fn left(
    conn: &mut AsyncPgConnection,
    call: Uuid,
    sid: &str,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        cp::table
            .filter(cp::call_id.eq(call))
            .filter(cp::participant_sid.eq(sid))
            .filter(cp::left_at.is_null())
            .filter(cp::joined_at.le(at)),
    )
    .set(cp::left_at.eq(at))
    .execute(conn)
    .await?;
    Ok(())
}
