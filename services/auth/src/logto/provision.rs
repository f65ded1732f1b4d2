//! The Logto side of provisioning (`POST /api/v1/auth/firms/{firmId}/users`
//! when the bridge is configured and the firm has an organization): the Logto
//! user found by e-mail or created, added to the organization with the
//! organization role named like the firm role (when the template has one), or
//! an organization invitation instead. These calls are made before the local
//! transaction; [`undo`] takes them back when anything after them fails.

use chrono::{Duration, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use serde_json::json;
use uuid::Uuid;

use super::client::{LogtoClient, LogtoUser, RoleRef};
use super::model::{ACTIVE, INVITED, LogtoOrg, Membership};
use super::sync::roles_json;
use super::{Bridge, Exchange, LogtoError, storage};

/// How long an invitation sent by provisioning stays open.
const INVITATION_DAYS: i64 = 7;

/// The subject of a user invited but not yet known to Logto; the sync replaces
/// it with the Logto user id once the invitation is accepted.
pub const INVITED_SUBJECT_PREFIX: &str = "invitation:";

/// The organization provisioning goes through: `None` when the bridge is off or
/// the firm has none linked and none was named; 422 naming `logtoOrgId` when the
/// one named is not the firm's.
pub async fn org_for(
    db: &DbPool,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
    named: Option<&str>,
) -> Result<Option<LogtoOrg>, ApiError> {
    if !bridge.is_configured() {
        return Ok(None);
    }
    let linked = with_tenant(db, ctx, |conn| {
        storage::org_of_firm(conn, firm_id).scope_boxed()
    })
    .await?;
    match (named, linked) {
        (Some(named), Some(org)) if org.logto_org_id == named => Ok(Some(org)),
        (Some(_), _) => Err(FieldErrors::single(
            "logtoOrgId",
            ErrorCode::InvalidFieldFormat,
            "is not the Logto organization linked to this firm",
        )
        .into()),
        (None, linked) => Ok(linked),
    }
}

/// What provisioning asks of Logto.
pub struct Request<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub role: &'a str,
    pub password: Option<&'a str>,
    pub invite: bool,
}

/// What Logto did, to be recorded locally or undone.
#[derive(Debug, Clone)]
pub enum Pushed {
    Added {
        user: LogtoUser,
        created: bool,
        roles: Vec<RoleRef>,
    },
    Invited {
        id: String,
        roles: Vec<RoleRef>,
    },
}

impl Pushed {
    /// The Logto user id, when there is one yet.
    pub fn logto_user_id(&self) -> Option<&str> {
        match self {
            Self::Added { user, .. } => Some(&user.id),
            Self::Invited { .. } => None,
        }
    }

    /// The subject of the mirror user (the Logto user id, or a placeholder
    /// naming the invitation).
    pub fn subject(&self) -> String {
        match self {
            Self::Added { user, .. } => user.id.clone(),
            Self::Invited { id, .. } => format!("{INVITED_SUBJECT_PREFIX}{id}"),
        }
    }
}

/// The organization roles named like the firm role (case-insensitively).
async fn mapped_roles(client: &LogtoClient, role: &str) -> Result<Vec<RoleRef>, LogtoError> {
    Ok(client
        .organization_roles()
        .await?
        .into_iter()
        .filter(|r| r.name.eq_ignore_ascii_case(role))
        .map(|r| RoleRef {
            id: r.id,
            name: r.name,
        })
        .collect())
}

/// Makes the Logto calls; a failure part-way undoes the calls already made.
pub async fn push(
    client: &LogtoClient,
    org: &LogtoOrg,
    request: Request<'_>,
) -> Result<Pushed, LogtoError> {
    let roles = mapped_roles(client, request.role).await?;
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    if request.invite {
        let expires = Utc::now() + Duration::days(INVITATION_DAYS);
        let invitation = client
            .invite(&org.logto_org_id, request.email, &role_ids, expires)
            .await?;
        return Ok(Pushed::Invited {
            id: invitation.id,
            roles,
        });
    }
    let (user, created) = match client.user_by_email(request.email).await? {
        Some(user) => (user, false),
        None => {
            let user = client
                .create_user(request.email, request.full_name, request.password)
                .await?;
            (user, true)
        }
    };
    if let Err(e) = client.add_member(&org.logto_org_id, &user.id).await {
        if created {
            delete_created(client, &user.id).await;
        }
        return Err(e);
    }
    let user_id = user.id.clone();
    let pushed = Pushed::Added {
        user,
        created,
        roles,
    };
    if !role_ids.is_empty()
        && let Err(e) = client
            .replace_member_roles(&org.logto_org_id, &user_id, &role_ids)
            .await
    {
        undo(client, org, &pushed).await;
        return Err(e);
    }
    Ok(pushed)
}

async fn delete_created(client: &LogtoClient, user_id: &str) {
    if let Err(e) = client.delete_user(user_id).await {
        tracing::error!(error = %e, user = user_id,
            "compensation failed: delete this Logto user by hand");
    }
}

/// Takes back what [`push`] did: removes the user from the organization and
/// deletes them if this provisioning created them, or withdraws the invitation.
pub async fn undo(client: &LogtoClient, org: &LogtoOrg, pushed: &Pushed) {
    match pushed {
        Pushed::Added { user, created, .. } => {
            if let Err(e) = client.remove_member(&org.logto_org_id, &user.id).await {
                tracing::error!(error = %e, org = %org.logto_org_id, user = %user.id,
                    "compensation failed: remove this user from the Logto organization by hand");
            }
            if *created {
                delete_created(client, &user.id).await;
            }
        }
        Pushed::Invited { id, .. } => {
            if let Err(e) = client.delete_invitation(id).await {
                tracing::error!(error = %e, invitation = %id,
                    "compensation failed: revoke this Logto invitation by hand");
            }
        }
    }
}

/// Writes the membership (ACTIVE, or INVITED for an invitation) and the
/// SUCCEEDED sync-log row, in the provisioning's transaction.
pub async fn record(
    conn: &mut AsyncPgConnection,
    org: &LogtoOrg,
    pushed: &Pushed,
    exchange: &Exchange,
    user_id: Uuid,
    email: &str,
    full_name: &str,
) -> Result<Membership, ApiError> {
    let now = Utc::now();
    let (status, invitation_id, roles) = match pushed {
        Pushed::Added { roles, .. } => (ACTIVE, None, roles),
        Pushed::Invited { id, roles } => (INVITED, Some(id.clone()), roles),
    };
    let member = storage::insert_member(
        conn,
        Membership {
            id: Uuid::now_v7(),
            firm_id: org.firm_id,
            organization_id: org.id,
            logto_user_id: pushed.logto_user_id().map(str::to_owned),
            user_id: Some(user_id),
            email: Some(email.to_owned()),
            name: Some(full_name.to_owned()),
            roles: roles_json(roles),
            status: status.to_owned(),
            invitation_id,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    let created = matches!(pushed, Pushed::Added { created: true, .. });
    let details = json!({
        "memberId": member.id,
        "status": member.status,
        "userId": user_id,
        "logtoUserCreated": created,
    });
    storage::insert_log(conn, exchange.succeeded(details)).await?;
    Ok(member)
}
