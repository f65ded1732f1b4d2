//! Lawyer credentials (a tenant table: row-level security confines a firm
//! transaction to its firm's credentials).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::LawyerCredential;
use crate::schema::lawyer_credentials as lc;

pub async fn insert(
    conn: &mut AsyncPgConnection,
    credential: LawyerCredential,
) -> Result<LawyerCredential, ApiError> {
    diesel::insert_into(lc::table)
        .values(credential)
        .returning(LawyerCredential::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict_field(e, "licenseNumber"))
}

/// The user's credentials the transaction may see, oldest first.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<LawyerCredential>, ApiError> {
    Ok(lc::table
        .filter(lc::user_id.eq(user_id))
        .filter(lc::deleted_at.is_null())
        .order(lc::id.asc())
        .select(LawyerCredential::as_select())
        .load(conn)
        .await?)
}

/// Removes a credential of the user; false when there is none to remove.
pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        lc::table
            .find(id)
            .filter(lc::user_id.eq(user_id))
            .filter(lc::deleted_at.is_null()),
    )
    .set((lc::deleted_at.eq(now), lc::updated_at.eq(now)))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Erasure: every credential of the user loses its number and is removed.
pub async fn anonymise_for_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(lc::table.filter(lc::user_id.eq(user_id)))
        .set((
            lc::number.eq("ERASED"),
            lc::updated_at.eq(now),
            lc::deleted_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Credentials expiring on or before `horizon` (and not yet expired before
/// `today`) whose expiry has not been announced, locked and skipping rows
/// another run holds. At most `limit`.
pub async fn lock_unannounced_expiring(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    horizon: NaiveDate,
    limit: i64,
) -> Result<Vec<LawyerCredential>, ApiError> {
    Ok(lc::table
        .filter(lc::deleted_at.is_null())
        .filter(lc::expiry_notified_at.is_null())
        .filter(lc::expires_on.ge(today))
        .filter(lc::expires_on.le(horizon))
        .order(lc::expires_on.asc())
        .limit(limit)
        .select(LawyerCredential::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await?)
}

pub async fn mark_announced(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(lc::table.find(id))
        .set(lc::expiry_notified_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}
