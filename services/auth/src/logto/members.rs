//! Member writes pushed to Logto: add (or invite), remove, replace roles. Each
//! calls Logto first and commits the cache change with its sync-log row after;
//! see the module note of `crate::logto` for the failure cases.

use chrono::{Duration, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use serde_json::json;
use uuid::Uuid;

use super::client::{LogtoClient, LogtoUser, RoleRef};
use super::model::{ACTIVE, INVITED, LogtoOrg, Membership, PUSH};
use super::sync::roles_json;
use super::{Bridge, Exchange, LogtoError, linked_org, mirror, storage};
use crate::input::logto::ValidAddMember;

/// How long an invitation stays open.
const INVITATION_DAYS: i64 = 7;

pub fn member_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("LogtoMember", id)
}

/// The cached member of the firm, or 404.
pub async fn find(
    db: &DbPool,
    ctx: &TenantCtx,
    firm_id: Uuid,
    id: Uuid,
) -> Result<Membership, ApiError> {
    with_tenant(db, ctx, |conn| {
        storage::find_member(conn, firm_id, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| member_not_found(id))
}

/// The roles named by `ids`, from Logto's organization template; 422 naming
/// each id Logto does not have.
async fn resolve_roles(
    client: &LogtoClient,
    ids: &[String],
) -> Result<Result<Vec<RoleRef>, ApiError>, LogtoError> {
    if ids.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let known = client.organization_roles().await?;
    let mut errors = FieldErrors::new();
    let mut roles = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match known.iter().find(|r| &r.id == id) {
            Some(r) => roles.push(RoleRef {
                id: r.id.clone(),
                name: r.name.clone(),
            }),
            None => errors.add(
                &format!("roleIds[{i}]"),
                ErrorCode::InvalidFieldFormat,
                "is not a Logto organization role",
            ),
        }
    }
    Ok(errors.into_result().map(|_| roles))
}

/// What Logto did for an add, to be undone if the local commit fails.
enum Pushed {
    Added(LogtoUser),
    Invited { id: String, email: String },
}

async fn push_add(
    client: &LogtoClient,
    org: &LogtoOrg,
    valid: &ValidAddMember,
    roles: &[RoleRef],
) -> Result<Result<Pushed, ApiError>, LogtoError> {
    let user = match (&valid.logto_user_id, &valid.email) {
        (Some(id), _) => match client.user(id).await? {
            Some(user) => Some(user),
            None => {
                return Ok(Err(FieldErrors::single(
                    "logtoUserId",
                    ErrorCode::InvalidFieldFormat,
                    "is not a Logto user",
                )
                .into()));
            }
        },
        (None, Some(email)) if !valid.invite => client.user_by_email(email).await?,
        _ => None,
    };
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    if let Some(user) = user {
        client.add_member(&org.logto_org_id, &user.id).await?;
        if !role_ids.is_empty()
            && let Err(e) = client
                .replace_member_roles(&org.logto_org_id, &user.id, &role_ids)
                .await
        {
            undo_add(client, org, &user.id).await;
            return Err(e);
        }
        return Ok(Ok(Pushed::Added(user)));
    }
    let Some(email) = valid.email.clone() else {
        return Ok(Err(ApiError::internal("an invitation without an e-mail")));
    };
    let expires = Utc::now() + Duration::days(INVITATION_DAYS);
    let invitation = client
        .invite(&org.logto_org_id, &email, &role_ids, expires)
        .await?;
    Ok(Ok(Pushed::Invited {
        id: invitation.id,
        email,
    }))
}

async fn undo_add(client: &LogtoClient, org: &LogtoOrg, user_id: &str) {
    if let Err(e) = client.remove_member(&org.logto_org_id, user_id).await {
        tracing::error!(error = %e, org = %org.logto_org_id, user = user_id,
            "compensation failed: remove this user from the Logto organization by hand");
    }
}

async fn undo(client: &LogtoClient, org: &LogtoOrg, pushed: &Pushed) {
    match pushed {
        Pushed::Added(user) => undo_add(client, org, &user.id).await,
        Pushed::Invited { id, .. } => {
            if let Err(e) = client.delete_invitation(id).await {
                tracing::error!(error = %e, invitation = %id,
                    "compensation failed: revoke this Logto invitation by hand");
            }
        }
    }
}

/// Adds the user to the firm's organization (or invites them); 201 with the member.
pub async fn add(
    db: &DbPool,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
    valid: ValidAddMember,
) -> Result<Membership, ApiError> {
    let client = bridge.client()?;
    let org = linked_org(db, ctx, firm_id).await?;
    let (lookup_user, lookup_email) = (valid.logto_user_id.clone(), valid.email.clone());
    let known = with_tenant(db, ctx, |conn| {
        async move {
            storage::find_by_identity(
                conn,
                firm_id,
                lookup_user.as_deref(),
                lookup_email.as_deref(),
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    if let Some(known) = known {
        return Err(already_member(&known));
    }
    let target = valid
        .email
        .clone()
        .or(valid.logto_user_id.clone())
        .unwrap_or_default();
    let operation = if valid.invite {
        "member.invite"
    } else {
        "member.add"
    };
    let exchange = Exchange::new(firm_id, PUSH, operation, ctx)
        .org(&org)
        .target(target);
    let roles = match resolve_roles(client, &valid.role_ids).await {
        Ok(Ok(roles)) => roles,
        Ok(Err(invalid)) => return Err(invalid),
        Err(e) => return Err(exchange.failed(db, ctx, e).await),
    };
    let pushed = match push_add(client, &org, &valid, &roles).await {
        Ok(Ok(pushed)) => pushed,
        Ok(Err(invalid)) => return Err(invalid),
        Err(e) => return Err(exchange.failed(db, ctx, e).await),
    };
    let issuer = client.issuer();
    let row_org = org.clone();
    let row_roles = roles_json(&roles);
    let (user, invitation) = match &pushed {
        Pushed::Added(user) => (Some(user.clone()), None),
        Pushed::Invited { id, email } => (None, Some((id.clone(), email.clone()))),
    };
    let written = with_tenant(db, ctx, |conn| {
        async move {
            let now = Utc::now();
            let row = match (user, invitation) {
                (Some(user), _) => {
                    let email = mirror::email_of(&user);
                    let user_id = mirror::upsert(conn, &issuer, &user, now).await?;
                    Membership {
                        id: Uuid::now_v7(),
                        firm_id,
                        organization_id: row_org.id,
                        logto_user_id: Some(user.id.clone()),
                        user_id,
                        name: Some(mirror::name_of(&user, email.as_deref())),
                        email,
                        roles: row_roles,
                        status: ACTIVE.to_owned(),
                        invitation_id: None,
                        created_at: now,
                        updated_at: now,
                    }
                }
                (None, Some((invitation_id, email))) => Membership {
                    id: Uuid::now_v7(),
                    firm_id,
                    organization_id: row_org.id,
                    logto_user_id: None,
                    user_id: storage::user_by_email(conn, &email).await?.map(|u| u.id),
                    email: Some(email),
                    name: None,
                    roles: row_roles,
                    status: INVITED.to_owned(),
                    invitation_id: Some(invitation_id),
                    created_at: now,
                    updated_at: now,
                },
                (None, None) => return Err(ApiError::internal("nothing pushed to Logto")),
            };
            let member = storage::insert_member(conn, row).await?;
            let details = json!({ "memberId": member.id, "status": member.status });
            storage::insert_log(conn, exchange.succeeded(details)).await?;
            Ok(member)
        }
        .scope_boxed()
    })
    .await;
    if written.is_err() {
        undo(client, &org, &pushed).await;
    }
    written
}

fn already_member(known: &Membership) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceAlreadyExists,
        "This person is already a member of (or invited to) the firm's Logto organization",
    )
    .with_details(json!({ "memberId": known.id, "status": known.status }))
}

/// Removes the member from the organization (or withdraws the invitation).
pub async fn remove(
    db: &DbPool,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
    id: Uuid,
) -> Result<(), ApiError> {
    let client = bridge.client()?;
    let member = find(db, ctx, firm_id, id).await?;
    let org = linked_org(db, ctx, firm_id).await?;
    let target = member
        .logto_user_id
        .clone()
        .or(member.email.clone())
        .unwrap_or_default();
    let exchange = Exchange::new(firm_id, PUSH, "member.remove", ctx)
        .org(&org)
        .target(target);
    let pushed = match (&member.logto_user_id, &member.invitation_id) {
        // Already gone from Logto (404) is what was asked.
        (Some(user), _) if member.status == ACTIVE => client
            .remove_member(&org.logto_org_id, user)
            .await
            .map(|_| ()),
        (_, Some(invitation)) => client.delete_invitation(invitation).await,
        _ => Ok(()),
    };
    if let Err(e) = pushed {
        return Err(exchange.failed(db, ctx, e).await);
    }
    with_tenant(db, ctx, |conn| {
        async move {
            storage::delete_member(conn, id).await?;
            let details = json!({ "memberId": id });
            storage::insert_log(conn, exchange.succeeded(details)).await
        }
        .scope_boxed()
    })
    .await
}

/// Replaces the member's organization roles in Logto and in the cache.
pub async fn replace_roles(
    db: &DbPool,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
    id: Uuid,
    role_ids: Vec<String>,
    if_match: Option<&str>,
) -> Result<Membership, ApiError> {
    let client = bridge.client()?;
    let member = find(db, ctx, firm_id, id).await?;
    if let Some(expected) = if_match.filter(|v| *v != "*")
        && expected != member.etag()
    {
        return Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The member was changed since you read them",
        )
        .with_details(json!({ "etag": member.etag() })));
    }
    let Some(logto_user) = member
        .logto_user_id
        .clone()
        .filter(|_| member.status == ACTIVE)
    else {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The invitation has not been accepted yet; its roles are those it was sent with",
        )
        .with_details(json!({ "memberId": id, "status": member.status })));
    };
    let org = linked_org(db, ctx, firm_id).await?;
    let exchange = Exchange::new(firm_id, PUSH, "member.roles", ctx)
        .org(&org)
        .target(logto_user.clone());
    let roles = match resolve_roles(client, &role_ids).await {
        Ok(Ok(roles)) => roles,
        Ok(Err(invalid)) => return Err(invalid),
        Err(e) => return Err(exchange.failed(db, ctx, e).await),
    };
    if let Err(e) = client
        .replace_member_roles(&org.logto_org_id, &logto_user, &role_ids)
        .await
    {
        return Err(exchange.failed(db, ctx, e).await);
    }
    let roles = roles_json(&roles);
    let previous = member.roles.clone();
    let previous_ids: Vec<String> = serde_json::from_value::<Vec<RoleRef>>(previous.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let written = with_tenant(db, ctx, |conn| {
        async move {
            let updated = storage::set_roles(conn, id, &roles, Utc::now()).await?;
            let details = json!({ "memberId": id, "from": previous, "to": roles });
            storage::insert_log(conn, exchange.succeeded(details)).await?;
            Ok(updated)
        }
        .scope_boxed()
    })
    .await;
    if written.is_err()
        && let Err(e) = client
            .replace_member_roles(&org.logto_org_id, &logto_user, &previous_ids)
            .await
    {
        tracing::error!(error = %e, member = %id,
            "compensation failed: restore this member's Logto organization roles by hand");
    }
    written
}
