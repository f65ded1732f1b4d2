//! A matter's team: add, list, remove (removal keeps the row with `removed_at`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{LEAD_ATTORNEY, Member};
use crate::schema::matter_members;

/// Adds a member; 409 naming `userId` when the user is already on the team.
pub async fn insert(conn: &mut AsyncPgConnection, member: Member) -> Result<Member, ApiError> {
    diesel::insert_into(matter_members::table)
        .values(member)
        .returning(Member::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict_field(e, "userId"))
}

/// The team (not removed), in the order members were added, after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Member>, ApiError> {
    let mut query = matter_members::table
        .filter(matter_members::matter_id.eq(matter))
        .filter(matter_members::removed_at.is_null())
        .select(Member::as_select())
        .order(matter_members::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(matter_members::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, matter: Uuid) -> Result<i64, ApiError> {
    Ok(matter_members::table
        .filter(matter_members::matter_id.eq(matter))
        .filter(matter_members::removed_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Removes `user` from the team; `None` when they were not on it.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    user: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Member>, ApiError> {
    Ok(diesel::update(
        matter_members::table
            .filter(matter_members::matter_id.eq(matter))
            .filter(matter_members::user_id.eq(user))
            .filter(matter_members::removed_at.is_null()),
    )
    .set((
        matter_members::removed_at.eq(now),
        matter_members::removed_by.eq(by),
    ))
    .returning(Member::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Whether `user` is the matter's active lead attorney at `now`.
pub async fn is_lead_attorney(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let found: Option<Member> = matter_members::table
        .filter(matter_members::matter_id.eq(matter))
        .filter(matter_members::user_id.eq(user))
        .filter(matter_members::role.eq(LEAD_ATTORNEY))
        .filter(matter_members::removed_at.is_null())
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some_and(|m| m.active_at(now)))
}
