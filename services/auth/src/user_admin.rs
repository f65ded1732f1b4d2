//! User administration on an open transaction: read a user as an administrator
//! sees them, change them (with `If-Match`), deactivate them, erase them.
//!
//! `firm` is `Some` for a firm administrator: the user must have a profile in
//! that firm (row-level security already hides every other firm's profile), or
//! the user answers 404.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::access::user_not_found;
use crate::input::user_patch::UserPatch;
use crate::model::{Profile, ProfileChanges, User, UserChanges};
use crate::state::LOCAL_ISSUER;
use crate::storage::{self, admin, credentials, directory};
use crate::views::AdminUser;

/// The user and the profiles the transaction may see; 404 when out of reach.
pub async fn load(
    conn: &mut AsyncPgConnection,
    firm: Option<Uuid>,
    id: Uuid,
    lock: bool,
) -> Result<(User, Vec<Profile>), ApiError> {
    let user = if lock {
        storage::lock_user(conn, id).await?
    } else {
        storage::find_user(conn, id).await?
    }
    .ok_or_else(|| user_not_found(id))?;
    let profiles = directory::visible_profiles(conn, id).await?;
    if firm.is_some() && profiles.is_empty() {
        return Err(user_not_found(id));
    }
    Ok((user, profiles))
}

fn stale(current: &AdminUser) -> ApiError {
    ApiError::new(
        ErrorCode::PreconditionFailed,
        "The user was changed since you read them",
    )
    .with_details(serde_json::json!({ "etag": current.etag() }))
}

/// Applies `patch`; `firm` confines a firm administrator (see the module note).
pub async fn update(
    conn: &mut AsyncPgConnection,
    firm: Option<Uuid>,
    id: Uuid,
    patch: UserPatch,
    if_match: Option<String>,
) -> Result<AdminUser, ApiError> {
    if firm.is_some() && patch.email.is_some() {
        return Err(ApiError::permission_denied(
            "Only a platform administrator can change a user's e-mail",
        )
        .with_details(serde_json::json!({ "field": "email" })));
    }
    let profile_firm = match (firm, patch.firm_id) {
        (Some(own), Some(named)) if own != named => return Err(user_not_found(id)),
        (own, named) => own.or(named),
    };
    let (user, profiles) = load(conn, firm, id, true).await?;
    if user.deleted_at.is_some() {
        return Err(user_not_found(id));
    }
    let current = AdminUser::new(user.clone(), profiles.clone());
    if let Some(expected) = if_match.filter(|v| v != "*")
        && expected != current.etag()
    {
        return Err(stale(&current));
    }
    if patch.email.is_some() && user.issuer != LOCAL_ISSUER {
        return Err(FieldErrors::single(
            "email",
            ErrorCode::InvalidFieldFormat,
            "is managed by the user's identity provider",
        )
        .into());
    }
    let now = Utc::now();
    if patch.email.is_some() || patch.full_name.is_some() {
        let changes = UserChanges {
            email: patch.email.clone(),
            full_name: patch.full_name.clone(),
            updated_at: Some(now),
        };
        admin::update_user(conn, id, changes).await?;
    }
    if patch.touches_profile() {
        let Some(firm_id) = profile_firm else {
            return Err(FieldErrors::single(
                "firmId",
                ErrorCode::RequiredFieldMissing,
                "names the firm whose profile title, phone or isLawyer belong to",
            )
            .into());
        };
        if admin::lock_profile(conn, firm_id, id).await?.is_none() {
            return Err(FieldErrors::single(
                "firmId",
                ErrorCode::InvalidFieldFormat,
                "the user has no profile in this firm",
            )
            .into());
        }
        let changes = ProfileChanges {
            title: patch.title.clone(),
            phone: patch.phone.clone(),
            is_lawyer: patch.is_lawyer,
            updated_at: Some(now),
            ..ProfileChanges::default()
        };
        storage::update_profile(conn, firm_id, id, changes).await?;
    }
    let (user, profiles) = load(conn, firm, id, false).await?;
    Ok(AdminUser::new(user, profiles))
}

/// Deactivation: a platform administrator deactivates the user everywhere, a
/// firm administrator their membership of the firm; the sessions concerned are
/// revoked so refreshing fails at once.
pub async fn deactivate(
    conn: &mut AsyncPgConnection,
    firm: Option<Uuid>,
    id: Uuid,
) -> Result<(), ApiError> {
    if firm.is_none() {
        keep_a_system_admin(conn, id).await?;
    }
    load(conn, firm, id, true).await?;
    let now = Utc::now();
    match firm {
        None => admin::deactivate_user(conn, id, now).await?,
        Some(firm_id) => admin::deactivate_profile(conn, firm_id, id, now).await?,
    }
    let revoked = admin::revoke_sessions(conn, id, firm, now).await?;
    tracing::info!(user_id = %id, firm_id = ?firm, revoked, "user deactivated");
    Ok(())
}

/// GDPR erasure (platform transaction): soft delete, then anonymise the mirror
/// row and every profile, delete the password and lawyer credentials, revoke
/// every session. Ids stay, so the audit trail keeps pointing at the user.
pub async fn erase(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    keep_a_system_admin(conn, id).await?;
    let user = storage::lock_user(conn, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    let now = Utc::now();
    admin::anonymise_user(conn, user.id, now).await?;
    admin::anonymise_profiles(conn, user.id, now).await?;
    admin::delete_local_credential(conn, user.id).await?;
    credentials::anonymise_for_user(conn, user.id, now).await?;
    admin::revoke_sessions(conn, user.id, None, now).await?;
    tracing::info!(user_id = %id, "user erased");
    Ok(())
}

/// 409 `LAST_SYSTEM_ADMIN` when `id` is the only active system administrator:
/// the platform would have nobody left to create firms and users (an operator
/// with database access recovers one with `lawos admin recover`). The active
/// administrators are locked first (in id order, before the target row), so
/// concurrent deactivations of two administrators queue and the second sees
/// the first's effect.
pub async fn keep_a_system_admin(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    let admins = admin::lock_active_system_admins(conn).await?;
    if admins.len() == 1 && admins[0] == id {
        return Err(ApiError::new(
            ErrorCode::LastSystemAdmin,
            "This is the last active system administrator; make another one first",
        )
        .with_details(serde_json::json!({ "userId": id })));
    }
    Ok(())
}

/// 409 `SELF_DEACTIVATION` when the caller names their own account.
pub fn not_oneself(caller: Option<Uuid>, id: Uuid) -> Result<(), ApiError> {
    if caller == Some(id) {
        return Err(ApiError::new(
            ErrorCode::SelfDeactivation,
            "You cannot deactivate or erase your own account",
        )
        .with_details(serde_json::json!({ "userId": id })));
    }
    Ok(())
}
