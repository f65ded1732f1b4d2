//! Queries of the auth schema. Each takes a connection already inside a
//! transaction opened by `with_tenant`, so row-level security decides what
//! firm profiles it sees; platform tables are the auth role's alone.

pub mod admin;
pub mod credentials;
pub mod directory;
pub mod support;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{
    NewCredential, Profile, ProfileChanges, RefreshToken, ServiceAccount, Session, User,
};
use crate::schema::{
    firm_user_profiles, local_credentials, refresh_tokens, service_accounts, sessions, users,
};

pub async fn count_users(conn: &mut AsyncPgConnection) -> Result<i64, ApiError> {
    Ok(users::table.count().get_result(conn).await?)
}

pub async fn find_user(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn lock_user(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// A local user by e-mail (lower-cased) with their password hash.
pub async fn find_local_login(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<(User, String)>, ApiError> {
    Ok(users::table
        .inner_join(local_credentials::table)
        .filter(users::email.eq(email.to_lowercase()))
        .select((User::as_select(), local_credentials::password_hash))
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_user(conn: &mut AsyncPgConnection, user: User) -> Result<User, ApiError> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "email"))
}

pub async fn insert_credential(
    conn: &mut AsyncPgConnection,
    credential: NewCredential,
) -> Result<(), ApiError> {
    diesel::insert_into(local_credentials::table)
        .values(credential)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_full_name(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    full_name: &str,
    now: DateTime<Utc>,
) -> Result<User, ApiError> {
    Ok(diesel::update(users::table.find(id))
        .set((users::full_name.eq(full_name), users::updated_at.eq(now)))
        .returning(User::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn insert_profile(
    conn: &mut AsyncPgConnection,
    profile: Profile,
) -> Result<Profile, ApiError> {
    diesel::insert_into(firm_user_profiles::table)
        .values(profile)
        .returning(Profile::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "userId"))
}

/// The user's active profiles in every firm (needs a platform transaction).
pub async fn active_profiles(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Profile>, ApiError> {
    Ok(firm_user_profiles::table
        .filter(firm_user_profiles::user_id.eq(user_id))
        .filter(firm_user_profiles::is_active.eq(true))
        .filter(firm_user_profiles::deleted_at.is_null())
        .order(firm_user_profiles::firm_id.asc())
        .select(Profile::as_select())
        .load(conn)
        .await?)
}

pub async fn find_profile(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    lock: bool,
) -> Result<Option<Profile>, ApiError> {
    let query = firm_user_profiles::table
        .find((firm_id, user_id))
        .filter(firm_user_profiles::deleted_at.is_null())
        .select(Profile::as_select());
    let found = if lock {
        query.for_update().first(conn).await
    } else {
        query.first(conn).await
    };
    Ok(found.optional()?)
}

pub async fn update_profile(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    changes: ProfileChanges,
) -> Result<Profile, ApiError> {
    Ok(
        diesel::update(firm_user_profiles::table.find((firm_id, user_id)))
            .set(changes)
            .returning(Profile::as_returning())
            .get_result(conn)
            .await?,
    )
}

pub async fn find_service_account(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> Result<Option<ServiceAccount>, ApiError> {
    Ok(service_accounts::table
        .filter(service_accounts::client_id.eq(client_id))
        .select(ServiceAccount::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_service_account(
    conn: &mut AsyncPgConnection,
    account: ServiceAccount,
) -> Result<ServiceAccount, ApiError> {
    diesel::insert_into(service_accounts::table)
        .values(account)
        .returning(ServiceAccount::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| conflict_field(e, "name"))
}

pub async fn insert_session(
    conn: &mut AsyncPgConnection,
    session: Session,
) -> Result<(), ApiError> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_refresh_token(
    conn: &mut AsyncPgConnection,
    token: RefreshToken,
) -> Result<(), ApiError> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
        .await?;
    Ok(())
}

/// A refresh token by hash with its session, both locked for the transaction.
pub async fn lock_refresh_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> Result<Option<(RefreshToken, Session)>, ApiError> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash))
        .select((RefreshToken::as_select(), Session::as_select()))
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn mark_used(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes a session (a refresh-token family); a revoked one stays as it was.
pub async fn revoke_session(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// A unique violation becomes 409 naming the field that collided.
pub(crate) fn conflict_field(err: diesel::result::Error, field: &str) -> ApiError {
    let api: ApiError = err.into();
    if api.code == lawos_core::ErrorCode::ResourceAlreadyExists {
        return api.with_details(serde_json::json!({ "field": field }));
    }
    api
}
