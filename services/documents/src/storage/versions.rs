//! The document_versions table. A request's queries by document name the
//! transaction's firm (`current_firm()`): the table's policy also admits the
//! platform's jobs, and its `OR` is no index condition.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_db::tenant::current_firm;
use uuid::Uuid;

use crate::model::{ABANDONED, AVAILABLE, NewVersion, PENDING, Version};
use crate::schema::document_versions as v;

pub async fn insert(conn: &mut AsyncPgConnection, new: NewVersion) -> Result<Version, ApiError> {
    Ok(diesel::insert_into(v::table)
        .values(&new)
        .returning(Version::as_returning())
        .get_result(conn)
        .await?)
}

/// The version `id` of `document`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    document: Uuid,
    id: Uuid,
) -> Result<Option<Version>, ApiError> {
    Ok(v::table
        .filter(v::id.eq(id))
        .filter(v::document_id.eq(document))
        .select(Version::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_many(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<Version>, ApiError> {
    Ok(v::table
        .filter(v::id.eq_any(ids))
        .select(Version::as_select())
        .load(conn)
        .await?)
}

/// A document's versions, newest first, after `before` (a version id: UUIDv7 sorts by creation).
pub async fn list(
    conn: &mut AsyncPgConnection,
    document: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Version>, ApiError> {
    let mut q = v::table
        .filter(v::firm_id.eq(current_firm()))
        .filter(v::document_id.eq(document))
        .select(Version::as_select())
        .order(v::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(v::id.lt(before));
    }
    Ok(q.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, document: Uuid) -> Result<i64, ApiError> {
    Ok(v::table
        .filter(v::firm_id.eq(current_firm()))
        .filter(v::document_id.eq(document))
        .count()
        .get_result(conn)
        .await?)
}

/// The next version number of a document (call with the document locked).
pub async fn next_number(conn: &mut AsyncPgConnection, document: Uuid) -> Result<i32, ApiError> {
    let max: Option<i32> = v::table
        .filter(v::firm_id.eq(current_firm()))
        .filter(v::document_id.eq(document))
        .select(diesel::dsl::max(v::version_number))
        .first(conn)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// Makes a pending version available with its checked size and digest.
pub async fn make_available(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    number: i32,
    size: i64,
    sha256: &[u8; 32],
) -> Result<Version, ApiError> {
    Ok(diesel::update(v::table.find(id))
        .set((
            v::status.eq(AVAILABLE),
            v::version_number.eq(number),
            v::size_bytes.eq(size),
            v::sha256.eq(sha256.to_vec()),
            v::completed_at.eq(Utc::now()),
        ))
        .returning(Version::as_returning())
        .get_result(conn)
        .await?)
}

/// Pending versions started before `cutoff` (any firm the transaction sees).
pub async fn stale_pending(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Version>, ApiError> {
    Ok(v::table
        .filter(v::status.eq(PENDING))
        .filter(v::created_at.lt(cutoff))
        .select(Version::as_select())
        .order(v::created_at.asc())
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?)
}

pub async fn abandon(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::update(v::table.find(id).filter(v::status.eq(PENDING)))
        .set((v::status.eq(ABANDONED), v::object_deleted_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a document has any version that is not abandoned.
pub async fn any_live(conn: &mut AsyncPgConnection, document: Uuid) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        v::table
            .filter(v::document_id.eq(document))
            .filter(v::status.ne(ABANDONED)),
    ))
    .get_result(conn)
    .await?)
}

/// Every version of a document whose object is still stored.
pub async fn with_objects(
    conn: &mut AsyncPgConnection,
    document: Uuid,
) -> Result<Vec<Version>, ApiError> {
    Ok(v::table
        .filter(v::document_id.eq(document))
        .filter(v::object_deleted_at.is_null())
        .select(Version::as_select())
        .load(conn)
        .await?)
}

pub async fn mark_object_deleted(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    diesel::update(v::table.filter(v::id.eq_any(ids)))
        .set(v::object_deleted_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}
