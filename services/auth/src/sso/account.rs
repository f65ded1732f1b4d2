//! Who an external identity is here: the user mirror looked up by issuer +
//! subject, linked on first sign-in to the provisioned account with the same
//! verified e-mail, then kept in sync (e-mail, name, `synced_at`); and the firm
//! profile the session is for. Everything is decided before anything is
//! written, in one transaction: a refused sign-in changes nothing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use uuid::Uuid;

use super::config::ProviderConfig;
use super::error::{self, SsoError};
use super::provider::ExternalIdentity;
use crate::model::{Profile, User};
use crate::schema::users;
use crate::state::{AuthState, LOCAL_ISSUER};
use crate::storage;

/// The account an external identity signs in to, and the firm profile.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub profile: Option<Profile>,
    /// Whether this sign-in linked the identity to the account.
    pub linked: bool,
}

async fn lock_by_identity(
    conn: &mut AsyncPgConnection,
    issuer: &str,
    subject: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::issuer.eq(issuer))
        .filter(users::subject.eq(subject))
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

async fn lock_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

async fn email_taken(
    conn: &mut AsyncPgConnection,
    email: &str,
    other_than: Uuid,
) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::email.eq(email))
            .filter(users::id.ne(other_than)),
    ))
    .get_result(conn)
    .await?)
}

/// Records the identity on the user row: issuer + subject, e-mail and name
/// when the provider asserts them, and when it was synced.
async fn sync(
    conn: &mut AsyncPgConnection,
    user: &User,
    identity: &ExternalIdentity,
    now: DateTime<Utc>,
) -> Result<User, ApiError> {
    let email = match identity.email.as_deref() {
        Some(email)
            if identity.email_verified
                && email != user.email
                && lawos_core::validation::is_email(email)
                && !email_taken(conn, email, user.id).await? =>
        {
            email.to_owned()
        }
        _ => user.email.clone(),
    };
    let full_name = identity
        .name
        .as_deref()
        .map(|n| n.chars().take(200).collect::<String>())
        .unwrap_or_else(|| user.full_name.clone());
    Ok(diesel::update(users::table.find(user.id))
        .set((
            users::issuer.eq(&identity.issuer),
            users::subject.eq(&identity.subject),
            users::email.eq(email),
            users::full_name.eq(full_name),
            users::synced_at.eq(Some(now)),
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await?)
}

/// The account of `identity`: the one already linked to it, or on first
/// sign-in a local (provisioned, not yet linked) account with the same
/// verified e-mail. Never a new account.
async fn account(
    conn: &mut AsyncPgConnection,
    identity: &ExternalIdentity,
) -> Result<Result<(User, bool), SsoError>, ApiError> {
    if let Some(user) = lock_by_identity(conn, &identity.issuer, &identity.subject).await? {
        return Ok(Ok((user, false)));
    }
    let Some(email) = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
    else {
        return Ok(Err(error::not_provisioned(
            "the identity is not linked and the provider asserts no verified e-mail",
        )));
    };
    Ok(match lock_by_email(conn, email).await? {
        Some(user) if user.issuer == LOCAL_ISSUER => Ok((user, true)),
        Some(_) => Err(error::not_provisioned(
            "the account is linked to another identity",
        )),
        None => Err(error::not_provisioned("no account has this e-mail")),
    })
}

/// The profile the session is for: the provider's firm when it is bound to
/// one, else the firm asked for, else the user's only firm.
fn choose_profile(
    profiles: Vec<Profile>,
    bound: Option<Uuid>,
    asked: Option<Uuid>,
) -> Result<Option<Profile>, SsoError> {
    let wanted = match (bound, asked) {
        (Some(bound), Some(asked)) if bound != asked => {
            return Err(error::not_provisioned(
                "this identity provider signs in to another firm",
            ));
        }
        (Some(firm), _) | (None, Some(firm)) => Some(firm),
        (None, None) => None,
    };
    match wanted {
        Some(firm) => profiles
            .into_iter()
            .find(|p| p.firm_id == firm)
            .map(Some)
            .ok_or_else(|| error::not_provisioned("not an active member of the firm")),
        None if profiles.len() > 1 => Err(error::firm_required()),
        None => Ok(profiles.into_iter().next()),
    }
}

/// Signs `identity` (verified by `provider`) in: decides the account and the
/// firm, then links or syncs the user row.
pub async fn sign_in(
    state: &AuthState,
    provider: &ProviderConfig,
    identity: ExternalIdentity,
    asked_firm: Option<Uuid>,
) -> Result<SignedIn, SsoError> {
    let bound = provider.firm_id;
    let outcome = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move {
            let (user, linking) = match account(conn, &identity).await? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            if !user.can_sign_in() {
                return Ok(Err(error::not_provisioned("the account is deactivated")));
            }
            let profiles = storage::active_profiles(conn, user.id).await?;
            let profile = match choose_profile(profiles, bound, asked_firm) {
                Ok(profile) => profile,
                Err(refused) => return Ok(Err(refused)),
            };
            if profile.is_none() && user.platform_role.is_none() {
                return Ok(Err(error::not_provisioned(
                    "the account is not an active member of any firm",
                )));
            }
            let user = sync(conn, &user, &identity, Utc::now()).await?;
            Ok(Ok(SignedIn {
                user,
                profile,
                linked: linking,
            }))
        }
        .scope_boxed()
    })
    .await?;
    let signed_in = outcome?;
    if signed_in.linked {
        tracing::info!(
            user_id = %signed_in.user.id,
            provider = %provider.name,
            "external identity linked to its provisioned account"
        );
    }
    Ok(signed_in)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(firm: Uuid) -> Profile {
        let now = Utc::now();
        Profile {
            firm_id: firm,
            user_id: Uuid::now_v7(),
            role: "LAWYER".into(),
            is_lawyer: true,
            title: None,
            phone: None,
            preferences: serde_json::json!({}),
            is_active: true,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    #[test]
    fn the_bound_firm_wins_and_other_firms_are_refused() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let both = vec![profile(a), profile(b)];
        let chosen = choose_profile(both.clone(), Some(b), None)
            .unwrap()
            .unwrap();
        assert_eq!(chosen.firm_id, b);
        assert_eq!(
            choose_profile(both.clone(), Some(b), Some(a))
                .unwrap_err()
                .code,
            lawos_core::ErrorCode::SsoUserNotProvisioned
        );
        assert_eq!(
            choose_profile(both.clone(), None, None).unwrap_err().code,
            lawos_core::ErrorCode::SsoFirmRequired
        );
        assert_eq!(
            choose_profile(both, None, Some(a))
                .unwrap()
                .unwrap()
                .firm_id,
            a
        );
        assert!(
            choose_profile(vec![profile(a)], Some(b), None).is_err(),
            "a member of another firm only"
        );
        assert!(choose_profile(Vec::new(), None, None).unwrap().is_none());
    }
}
