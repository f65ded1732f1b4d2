//! Writes of user administration: identity changes, deactivation (user or
//! firm profile, with their sessions), and GDPR erasure.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Profile, Session, User, UserChanges};
use crate::schema::{firm_user_profiles, local_credentials, sessions, users};

pub async fn update_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: UserChanges,
) -> Result<User, ApiError> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict_field(e, "email"))
}

/// The user may no longer sign in anywhere.
pub async fn deactivate_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(id).filter(users::is_active.eq(true)))
        .set((users::is_active.eq(false), users::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The user may no longer sign in to `firm_id`.
pub async fn deactivate_profile(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        firm_user_profiles::table
            .find((firm_id, user_id))
            .filter(firm_user_profiles::is_active.eq(true)),
    )
    .set((
        firm_user_profiles::is_active.eq(false),
        firm_user_profiles::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes the user's open sessions (in `firm_id` only, when given): their
/// refresh tokens stop working at once. Returns how many were revoked.
pub async fn revoke_sessions(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    firm_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut target = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::id)
        .into_boxed();
    if let Some(firm) = firm_id {
        target = target.filter(sessions::firm_id.eq(firm));
    }
    let ids: Vec<Uuid> = target.load(conn).await?;
    Ok(
        diesel::update(sessions::table.filter(sessions::id.eq_any(&ids)))
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoked_reason.eq("revoked"),
            ))
            .execute(conn)
            .await?,
    )
}

/// GDPR erasure of the mirror row: soft-deleted and anonymised, id kept so the
/// audit trail still points somewhere.
pub async fn anonymise_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(format!("erased-{id}@invalid")),
            users::full_name.eq("Erased user"),
            users::is_active.eq(false),
            users::synced_at.eq(None::<DateTime<Utc>>),
            users::updated_at.eq(now),
            users::deleted_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Erasure of every firm profile of the user (needs a platform transaction).
pub async fn anonymise_profiles(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(firm_user_profiles::table.filter(firm_user_profiles::user_id.eq(user_id)))
        .set((
            firm_user_profiles::title.eq(None::<String>),
            firm_user_profiles::phone.eq(None::<String>),
            firm_user_profiles::preferences.eq(serde_json::json!({})),
            firm_user_profiles::is_active.eq(false),
            firm_user_profiles::updated_at.eq(now),
            firm_user_profiles::deleted_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_local_credential(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<(), ApiError> {
    diesel::delete(local_credentials::table.find(user_id))
        .execute(conn)
        .await?;
    Ok(())
}

/// The user's sessions, newest first.
pub async fn sessions_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Session>, ApiError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
        .await?)
}

/// When the user's local password was set, if they have one.
pub async fn local_credential_dates(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, ApiError> {
    Ok(local_credentials::table
        .find(user_id)
        .select((local_credentials::created_at, local_credentials::updated_at))
        .first(conn)
        .await
        .optional()?)
}

/// The firm profile with a row lock, deleted or not (for administrators' writes).
pub async fn lock_profile(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Profile>, ApiError> {
    Ok(firm_user_profiles::table
        .find((firm_id, user_id))
        .filter(firm_user_profiles::deleted_at.is_null())
        .select(Profile::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The active system administrators, locked in id order: a transaction that
/// could remove one holds them all, so two such changes cannot both pass.
pub async fn lock_active_system_admins(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<Uuid>, ApiError> {
    Ok(users::table
        .filter(users::platform_role.eq(crate::roles::SYSTEM_ADMIN))
        .filter(users::is_active.eq(true))
        .filter(users::deleted_at.is_null())
        .order(users::id)
        .select(users::id)
        .for_update()
        .load(conn)
        .await?)
}

/// Makes the user an active system administrator.
pub async fn make_active_system_admin(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(id))
        .set((
            users::platform_role.eq(Some(crate::roles::SYSTEM_ADMIN)),
            users::is_active.eq(true),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets (or replaces) the user's local password hash.
pub async fn set_local_password(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(local_credentials::table)
        .values((
            local_credentials::user_id.eq(user_id),
            local_credentials::password_hash.eq(password_hash),
        ))
        .on_conflict(local_credentials::user_id)
        .do_update()
        .set((
            local_credentials::password_hash.eq(password_hash),
            local_credentials::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The account with this (lower-cased) e-mail, whatever its issuer, locked.
pub async fn lock_user_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(email.to_lowercase()))
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}
