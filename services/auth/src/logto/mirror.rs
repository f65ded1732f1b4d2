//! The user mirror for Logto identities: one `users` row per issuer (the Logto
//! tenant's `{endpoint}/oidc`) and subject (the Logto user id).

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use uuid::Uuid;

use super::client::LogtoUser;
use super::storage;
use crate::model::User;

/// The e-mail of a Logto user as the mirror keeps it (lower-case), if usable.
pub fn email_of(user: &LogtoUser) -> Option<String> {
    user.primary_email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| lawos_core::validation::is_email(e))
}

/// A display name of 1..=200 characters.
pub fn name_of(user: &LogtoUser, email: Option<&str>) -> String {
    let name = [user.name.as_deref(), user.username.as_deref(), email]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .unwrap_or(user.id.as_str());
    name.chars().take(200).collect()
}

/// The mirror user of `user`, created or refreshed. A Logto user without a
/// usable e-mail is not mirrored (`None`). When another identity already holds
/// the e-mail (a local user, say), the member is linked to that user rather
/// than given a second account; a user provisioned by invitation takes the
/// Logto user id as subject and becomes active.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    issuer: &str,
    user: &LogtoUser,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, ApiError> {
    let Some(email) = email_of(user) else {
        return Ok(None);
    };
    let name = name_of(user, Some(&email));
    if let Some(existing) = storage::user_by_identity(conn, issuer, &user.id).await? {
        if existing.full_name != name || existing.synced_at.is_none() {
            storage::touch_user(conn, existing.id, &name, now).await?;
        }
        return Ok(Some(existing.id));
    }
    if let Some(existing) = storage::user_by_email(conn, &email).await? {
        if existing.issuer == issuer
            && existing
                .subject
                .starts_with(super::provision::INVITED_SUBJECT_PREFIX)
        {
            // Provisioned by invitation, now accepted: the user is this Logto user.
            storage::claim_invited_user(conn, existing.id, &user.id, now).await?;
        }
        return Ok(Some(existing.id));
    }
    let id = Uuid::now_v7();
    crate::storage::insert_user(
        conn,
        User {
            id,
            issuer: issuer.to_owned(),
            subject: user.id.clone(),
            email,
            full_name: name,
            platform_role: None,
            is_active: true,
            synced_at: Some(now),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await?;
    Ok(Some(id))
}
