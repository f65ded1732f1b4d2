//! Notes on a matter: newest first, soft delete.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::Note;
use crate::schema::matter_notes;

pub async fn insert(conn: &mut AsyncPgConnection, note: Note) -> Result<Note, ApiError> {
    Ok(diesel::insert_into(matter_notes::table)
        .values(note)
        .returning(Note::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    id: Uuid,
) -> Result<Option<Note>, ApiError> {
    Ok(matter_notes::table
        .find(id)
        .filter(matter_notes::matter_id.eq(matter))
        .filter(matter_notes::deleted_at.is_null())
        .select(Note::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Up to `limit + 1` notes, newest first, strictly before `(created_at, id)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Note>, ApiError> {
    use matter_notes::{created_at, id};
    let mut query = matter_notes::table
        .filter(matter_notes::matter_id.eq(matter))
        .filter(matter_notes::deleted_at.is_null())
        .select(Note::as_select())
        .order((created_at.desc(), id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((at, last)) = before {
        query = query.filter(created_at.lt(at).or(created_at.eq(at).and(id.lt(last))));
    }
    Ok(query.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, matter: Uuid) -> Result<i64, ApiError> {
    Ok(matter_notes::table
        .filter(matter_notes::matter_id.eq(matter))
        .filter(matter_notes::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Changes a note's body; `None` when there is no such note.
pub async fn update(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    id: Uuid,
    body: String,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Note>, ApiError> {
    Ok(diesel::update(
        matter_notes::table
            .find(id)
            .filter(matter_notes::matter_id.eq(matter))
            .filter(matter_notes::deleted_at.is_null()),
    )
    .set((
        matter_notes::body.eq(body),
        matter_notes::updated_by.eq(by),
        matter_notes::updated_at.eq(now),
    ))
    .returning(Note::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Soft-deletes a note; `false` when there is no such note.
pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        matter_notes::table
            .find(id)
            .filter(matter_notes::matter_id.eq(matter))
            .filter(matter_notes::deleted_at.is_null()),
    )
    .set((
        matter_notes::deleted_at.eq(now),
        matter_notes::updated_by.eq(by),
        matter_notes::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}
