//! Feed tokens (only their SHA-256 is stored) and the appointments a feed shows.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Appointment, FeedToken};
use crate::schema::{appointment_attendees as att, appointments, feed_tokens};

pub async fn create(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    hash: Vec<u8>,
    label: Option<String>,
) -> Result<FeedToken, ApiError> {
    Ok(diesel::insert_into(feed_tokens::table)
        .values((
            feed_tokens::id.eq(Uuid::now_v7()),
            feed_tokens::firm_id.eq(firm),
            feed_tokens::user_id.eq(user),
            feed_tokens::token_hash.eq(hash),
            feed_tokens::label.eq(label),
        ))
        .returning(FeedToken::as_returning())
        .get_result(conn)
        .await?)
}

/// The user's tokens in force.
pub async fn of_user(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Vec<FeedToken>, ApiError> {
    Ok(feed_tokens::table
        .filter(feed_tokens::user_id.eq(user))
        .filter(feed_tokens::revoked_at.is_null())
        .order(feed_tokens::created_at.desc())
        .select(FeedToken::as_select())
        .load(conn)
        .await?)
}

/// Revokes the user's token `id` (all of them when `None`); how many.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    id: Option<Uuid>,
) -> Result<usize, ApiError> {
    let mut target = diesel::update(feed_tokens::table)
        .filter(feed_tokens::user_id.eq(user))
        .filter(feed_tokens::revoked_at.is_null())
        .into_boxed();
    if let Some(id) = id {
        target = target.filter(feed_tokens::id.eq(id));
    }
    Ok(target
        .set(feed_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
        .await?)
}

/// The user a token in force belongs to, marking its use.
pub async fn holder(conn: &mut AsyncPgConnection, hash: Vec<u8>) -> Result<Option<Uuid>, ApiError> {
    Ok(diesel::update(feed_tokens::table)
        .filter(feed_tokens::token_hash.eq(hash))
        .filter(feed_tokens::revoked_at.is_null())
        .set(feed_tokens::last_used_at.eq(Utc::now()))
        .returning(feed_tokens::user_id)
        .get_result(conn)
        .await
        .optional()?)
}

/// The appointments `user` organizes or attends that are not long over: single
/// ones ending within the last 90 days or later, series not ended by then.
pub async fn appointments_of(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> Result<Vec<Appointment>, ApiError> {
    let since = Utc::now() - Duration::days(90);
    let attending = att::table
        .filter(att::user_id.eq(user))
        .filter(att::removed_at.is_null())
        .select(att::appointment_id);
    Ok(appointments::table
        .filter(
            appointments::organizer_user_id
                .eq(user)
                .or(appointments::id.eq_any(attending)),
        )
        .filter(
            appointments::recurrence
                .is_null()
                .and(appointments::ends_at.ge(since))
                .or(appointments::recurrence.is_not_null().and(
                    appointments::series_ends_at
                        .is_null()
                        .or(appointments::series_ends_at.ge(since)),
                )),
        )
        .order((appointments::starts_at, appointments::id))
        .limit(2000)
        .select(Appointment::as_select())
        .load(conn)
        .await?)
}
