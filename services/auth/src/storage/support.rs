//! Queries of support sessions and their access log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::schema::{support_access_log, support_sessions};
use crate::support::model::SupportSession;

/// A request recorded under a session.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = support_access_log)]
pub struct AccessLogRow {
    pub id: Uuid,
    pub session_id: Uuid,
    pub firm_id: Uuid,
    pub service: String,
    pub method: String,
    pub path: String,
    pub status: i16,
    pub at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    session: SupportSession,
) -> Result<SupportSession, ApiError> {
    Ok(diesel::insert_into(support_sessions::table)
        .values(session)
        .returning(SupportSession::as_returning())
        .get_result(conn)
        .await?)
}

/// One session the transaction may see (row-level security decides).
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<SupportSession>, ApiError> {
    let query = support_sessions::table
        .find(id)
        .select(SupportSession::as_select());
    let found = if lock {
        query.for_update().first(conn).await
    } else {
        query.first(conn).await
    };
    Ok(found.optional()?)
}

/// The newest sessions the transaction may see.
pub async fn list(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> Result<Vec<SupportSession>, ApiError> {
    Ok(support_sessions::table
        .order(support_sessions::id.desc())
        .limit(limit)
        .select(SupportSession::as_select())
        .load(conn)
        .await?)
}

pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<SupportSession, ApiError> {
    Ok(diesel::update(support_sessions::table.find(id))
        .set((
            support_sessions::revoked_at.eq(now),
            support_sessions::revoked_by.eq(by),
        ))
        .returning(SupportSession::as_returning())
        .get_result(conn)
        .await?)
}

/// The sessions among `ids` that exist (log entries of unknown ones are dropped).
pub async fn firms_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, ApiError> {
    Ok(support_sessions::table
        .filter(support_sessions::id.eq_any(ids))
        .select((support_sessions::id, support_sessions::firm_id))
        .load(conn)
        .await?)
}

pub async fn insert_log(
    conn: &mut AsyncPgConnection,
    rows: Vec<AccessLogRow>,
) -> Result<usize, ApiError> {
    Ok(diesel::insert_into(support_access_log::table)
        .values(rows)
        .execute(conn)
        .await?)
}
