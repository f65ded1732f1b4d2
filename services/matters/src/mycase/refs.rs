//! External references (`matters.external_refs`): which LawOS entity a MyCase
//! record became, and both sides' values at the last sync. Inside the firm's
//! transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use serde_json::Value;
use uuid::Uuid;

use super::model::{ExternalRef, PROVIDER, STAFF};
use super::schema::external_refs;

/// The reference of MyCase record `external_id` of `kind`, locked for the
/// rest of the transaction when `lock`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    kind: &str,
    external_id: &str,
    lock: bool,
) -> Result<Option<ExternalRef>, ApiError> {
    let query = external_refs::table
        .filter(external_refs::provider.eq(PROVIDER))
        .filter(external_refs::kind.eq(kind))
        .filter(external_refs::external_id.eq(external_id))
        .select(ExternalRef::as_select());
    let found = if lock {
        query.for_update().first(conn).await
    } else {
        query.first(conn).await
    };
    Ok(found.optional()?)
}

/// Inserts `row`, or answers the reference already there for its record.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: ExternalRef,
) -> Result<ExternalRef, ApiError> {
    let (kind, external_id) = (row.kind.clone(), row.external_id.clone());
    let inserted = diesel::insert_into(external_refs::table)
        .values(row)
        .on_conflict_do_nothing()
        .returning(ExternalRef::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    match inserted {
        Some(r) => Ok(r),
        None => find(conn, &kind, &external_id, true)
            .await?
            .ok_or_else(|| ApiError::internal("an external reference vanished while inserted")),
    }
}

/// The state a sync leaves a reference in.
#[derive(Debug, Clone)]
pub struct Synced {
    pub entity_id: Option<Uuid>,
    pub external_number: Option<String>,
    pub remote_values: Value,
    pub local_values: Value,
    pub remote_updated_at: Option<DateTime<Utc>>,
    pub run_id: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn save(conn: &mut AsyncPgConnection, id: Uuid, s: Synced) -> Result<(), ApiError> {
    diesel::update(external_refs::table.find(id))
        .set((
            external_refs::entity_id.eq(s.entity_id),
            external_refs::external_number.eq(s.external_number),
            external_refs::remote_values.eq(s.remote_values),
            external_refs::local_values.eq(s.local_values),
            external_refs::remote_updated_at.eq(s.remote_updated_at),
            external_refs::last_run_id.eq(s.run_id),
            external_refs::updated_at.eq(s.now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Staff references no firm member matched yet (their e-mail is asked again).
pub async fn unmatched_staff(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> Result<Vec<ExternalRef>, ApiError> {
    Ok(external_refs::table
        .filter(external_refs::provider.eq(PROVIDER))
        .filter(external_refs::kind.eq(STAFF))
        .filter(external_refs::entity_id.is_null())
        .order(external_refs::updated_at.asc())
        .limit(limit)
        .select(ExternalRef::as_select())
        .load(conn)
        .await?)
}

/// The LawOS entities that MyCase records `ids` of `kind` became.
pub async fn entities(
    conn: &mut AsyncPgConnection,
    kind: &str,
    ids: &[String],
) -> Result<Vec<(String, Option<Uuid>)>, ApiError> {
    Ok(external_refs::table
        .filter(external_refs::provider.eq(PROVIDER))
        .filter(external_refs::kind.eq(kind))
        .filter(external_refs::external_id.eq_any(ids))
        .select((external_refs::external_id, external_refs::entity_id))
        .load(conn)
        .await?)
}
