//! Timers: one RUNNING per user at most (partial unique index).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::input::lists::TimePosition;
use crate::model::Timer;
use crate::schema::timers;

/// 409 when the user already has a running timer.
fn running_conflict(err: diesel::result::Error) -> ApiError {
    let api: ApiError = err.into();
    if api.code == ErrorCode::ResourceAlreadyExists {
        return ApiError::new(
            ErrorCode::ResourceConflict,
            "Another of your timers is running; pause or stop it first",
        );
    }
    api
}

pub async fn insert(conn: &mut AsyncPgConnection, timer: Timer) -> Result<Timer, ApiError> {
    diesel::insert_into(timers::table)
        .values(timer)
        .returning(Timer::as_returning())
        .get_result(conn)
        .await
        .map_err(running_conflict)
}

pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Timer>, ApiError> {
    Ok(timers::table
        .find(id)
        .select(Timer::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn save(conn: &mut AsyncPgConnection, t: &Timer) -> Result<Timer, ApiError> {
    diesel::update(timers::table.find(t.id))
        .set((
            timers::state.eq(&t.state),
            timers::accumulated_seconds.eq(t.accumulated_seconds),
            timers::running_since.eq(t.running_since),
            timers::stopped_at.eq(t.stopped_at),
            timers::time_entry_id.eq(t.time_entry_id),
            timers::updated_at.eq(chrono::Utc::now()),
        ))
        .returning(Timer::as_returning())
        .get_result(conn)
        .await
        .map_err(running_conflict)
}

/// The user's timers, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    after: Option<TimePosition>,
    limit: i64,
) -> Result<Vec<Timer>, ApiError> {
    let mut query = timers::table.filter(timers::user_id.eq(user)).into_boxed();
    if let Some(p) = after {
        query = query.filter(
            timers::created_at
                .lt(p.at)
                .or(timers::created_at.eq(p.at).and(timers::id.lt(p.id))),
        );
    }
    Ok(query
        .order((timers::created_at.desc(), timers::id.desc()))
        .limit(limit + 1)
        .select(Timer::as_select())
        .load(conn)
        .await?)
}
