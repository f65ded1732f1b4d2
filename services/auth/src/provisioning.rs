//! Provisioning a user into a firm (`POST /api/v1/auth/firms/{firmId}/users`):
//! identity, firm profile, lawyer credentials, the `user.provisioned` event, and
//! the role assignment in rbac.
//!
//! The identity is local (users row + argon2id password) unless the Logto
//! bridge is configured and the firm has an organization (`logtoOrgId`, when
//! given, must be that one). Then it is a Logto identity: the Logto user is
//! found by e-mail or created, added to the organization (with the organization
//! role named like the firm role, when there is one) and mirrored here as
//! (`{endpoint}/oidc`, Logto user id), with an ACTIVE membership. With
//! `invite: true` an organization invitation is sent instead: the user and
//! their profile are created INACTIVE (subject `invitation:{id}` until the
//! invitation is accepted) and the membership is INVITED.
//!
//! How nothing is left behind when a step fails: the Logto calls come first;
//! if Logto fails, a FAILED sync-log row is all that is written (502
//! `LOGTO_SYNC_FAILED`, rbac not called). Then every row of this service and
//! the event are written in ONE transaction, and the rbac call is made last,
//! while that transaction is still open.
//!
//! - Any failure in the transaction, or the rbac call itself failing (rbac
//!   down, refusing, timing out), rolls it back: no user, profile, password,
//!   credential, membership or event exists, and rbac holds nothing.
//! - rbac succeeding and the commit then failing is the one case that needs a
//!   compensation in rbac: the assignment is revoked (`DELETE …/assignments/{id}`;
//!   rbac keeps revoked assignments as history, which grants nothing). If the
//!   revocation fails too, it is logged with the assignment id.
//! - Whenever the transaction fails after the Logto calls, they are undone:
//!   the user is removed from the organization and deleted if this request
//!   created them, or the invitation is withdrawn (failures logged).
//!
//! This is cleaner than committing first and deleting rows afterwards: deleted
//! rows would already have published `user.created` entity events, and a
//! compensating delete can itself fail and leave an orphan identity. The cost is
//! one HTTP round trip made while a transaction is open (bounded by the client's
//! 10 s timeout).

use std::sync::{Arc, Mutex};

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Actor, EntityRef, EventEnvelope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::input::provision::ValidProvision;
use crate::logto::model::{LogtoOrg, Membership, PUSH};
use crate::logto::provision::{self as logto_provision, Pushed, Request};
use crate::logto::{Bridge, Exchange, LogtoClient};
use crate::model::{LawyerCredential, NewCredential, Profile, User};
use crate::rbac::RbacClient;
use crate::state::LOCAL_ISSUER;
use crate::storage::{self, credentials};
use crate::views::AdminUser;
use crate::{NAME, crypto};

pub const USER_PROVISIONED: &str = "user.provisioned";

/// The answer to a provisioning: the user as administrators see them, their
/// credentials, the rbac assignment and, for a Logto identity, the membership.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provisioned {
    #[serde(flatten)]
    pub user: AdminUser,
    pub credentials: Vec<LawyerCredential>,
    pub role_assignment_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logto_member: Option<Membership>,
}

/// A Logto identity: what Logto did and the mirror user to write or reuse.
struct LogtoIdentity {
    issuer: String,
    org: LogtoOrg,
    pushed: Pushed,
    exchange: Exchange,
    existing: Option<User>,
}

/// How the provisioned person signs in.
enum Identity {
    Local { password_hash: String },
    Logto(Box<LogtoIdentity>),
}

/// The users row to write, or the mirror user already there.
async fn write_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    identity: &Identity,
    valid: &ValidProvision,
) -> Result<User, ApiError> {
    let now = Utc::now();
    let (issuer, subject, active, synced_at) = match identity {
        Identity::Local { .. } => (LOCAL_ISSUER.to_owned(), user_id.to_string(), true, None),
        Identity::Logto(l) => {
            if let Some(existing) = &l.existing {
                return Ok(existing.clone());
            }
            let invited = matches!(l.pushed, Pushed::Invited { .. });
            (l.issuer.clone(), l.pushed.subject(), !invited, Some(now))
        }
    };
    let user = storage::insert_user(
        conn,
        User {
            id: user_id,
            issuer,
            subject,
            email: valid.email.clone(),
            full_name: valid.full_name.clone(),
            platform_role: None,
            is_active: active,
            synced_at,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await?;
    if let Identity::Local { password_hash } = identity {
        let credential = NewCredential {
            user_id,
            password_hash: password_hash.clone(),
        };
        storage::insert_credential(conn, credential).await?;
    }
    Ok(user)
}

/// What the transaction wrote.
struct Written {
    user: AdminUser,
    credentials: Vec<LawyerCredential>,
    member: Option<Membership>,
}

/// Writes the identity, profile, credentials, membership and event (not
/// committed yet).
async fn write_rows(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    actor: Actor,
    valid: ValidProvision,
    identity: &Identity,
) -> Result<Written, ApiError> {
    let now = Utc::now();
    let user = write_user(conn, user_id, identity, &valid).await?;
    let user_id = user.id;
    let invited =
        matches!(identity, Identity::Logto(l) if matches!(l.pushed, Pushed::Invited { .. }));
    let profile = storage::insert_profile(
        conn,
        Profile {
            firm_id,
            user_id,
            role: valid.role.clone(),
            is_lawyer: valid.is_lawyer,
            title: None,
            phone: None,
            preferences: json!({}),
            is_active: !invited,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await?;
    let mut written = Vec::with_capacity(valid.credentials.len());
    for c in valid.credentials {
        let row = crate::credentials::new_row(firm_id, user_id, c, now);
        written.push(credentials::insert(conn, row).await?);
    }
    let member = match identity {
        Identity::Local { .. } => None,
        Identity::Logto(l) => Some(
            logto_provision::record(
                conn,
                &l.org,
                &l.pushed,
                &l.exchange,
                user_id,
                &valid.email,
                &valid.full_name,
            )
            .await?,
        ),
    };
    let event = EventEnvelope::builder(USER_PROVISIONED, EntityRef::new("user", user_id))
        .firm(firm_id)
        .user(actor.user_id)
        .act_as(actor.act_as)
        .traceparent(lawos_telemetry::traceparent_from_current_span())
        .data(json!({ "userId": user_id, "firmId": firm_id, "role": valid.role }))
        .build();
    lawos_events::enqueue(conn, NAME, &event)
        .await
        .map_err(ApiError::internal)?;
    Ok(Written {
        user: AdminUser::new(user, vec![profile]),
        credentials: written,
        member,
    })
}

/// Runs the whole provisioning; see the module note for the failure cases.
pub async fn provision(
    db: &DbPool,
    rbac: &RbacClient,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
    valid: ValidProvision,
) -> Result<Provisioned, ApiError> {
    let org =
        logto_provision::org_for(db, bridge, ctx, firm_id, valid.logto_org_id.as_deref()).await?;
    let identity = match org {
        Some(org) => {
            let client = bridge.client()?;
            let logto = push_to_logto(db, client, ctx, firm_id, org, &valid).await?;
            Identity::Logto(Box::new(logto))
        }
        None => Identity::Local {
            password_hash: local_password(&valid).await?,
        },
    };
    let result = commit(db, rbac, ctx, firm_id, valid, &identity).await;
    if result.is_err()
        && let Identity::Logto(l) = &identity
        && let Ok(client) = bridge.client()
    {
        logto_provision::undo(client, &l.org, &l.pushed).await;
    }
    result
}

/// The hash of the local password; 422 when the firm has no Logto organization
/// and the body asked for what only Logto does, or gave no password.
async fn local_password(valid: &ValidProvision) -> Result<String, ApiError> {
    let mut errors = FieldErrors::new();
    if valid.invite {
        errors.add(
            "invite",
            ErrorCode::InvalidFieldFormat,
            "the firm has no Logto organization linked to invite into",
        );
    }
    let Some(password) = valid.password.clone() else {
        errors.missing("password");
        errors.into_result()?;
        return Err(ApiError::internal("a missing password passed validation"));
    };
    errors.into_result()?;
    tokio::task::spawn_blocking(move || crypto::hash_secret(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// 409 before anything is asked of Logto when the e-mail belongs to an
/// identity that is not this Logto tenant's, or is already a member of (or
/// invited to) the firm's organization; a mirror user of this Logto tenant is
/// reused.
async fn existing_mirror(
    db: &DbPool,
    ctx: &TenantCtx,
    firm_id: Uuid,
    issuer: &str,
    email: &str,
) -> Result<Option<User>, ApiError> {
    let lookup = email.to_owned();
    let (user, member) = with_tenant(db, ctx, |conn| {
        async move {
            let user = crate::logto::storage::user_by_email(conn, &lookup).await?;
            let member =
                crate::logto::storage::find_by_identity(conn, firm_id, None, Some(&lookup)).await?;
            Ok((user, member))
        }
        .scope_boxed()
    })
    .await?;
    if let Some(member) = member {
        return Err(ApiError::new(
            ErrorCode::ResourceAlreadyExists,
            "This person is already a member of (or invited to) the firm's Logto organization",
        )
        .with_details(json!({ "field": "email", "memberId": member.id })));
    }
    match user {
        Some(user) if user.issuer != issuer => Err(ApiError::new(
            ErrorCode::ResourceAlreadyExists,
            "A user with this e-mail already exists",
        )
        .with_details(json!({ "field": "email" }))),
        user => Ok(user),
    }
}

/// The Logto calls, before anything is written here; a Logto failure is
/// logged (FAILED row) and answered 502.
async fn push_to_logto(
    db: &DbPool,
    client: &LogtoClient,
    ctx: &TenantCtx,
    firm_id: Uuid,
    org: LogtoOrg,
    valid: &ValidProvision,
) -> Result<LogtoIdentity, ApiError> {
    let issuer = client.issuer();
    let existing = existing_mirror(db, ctx, firm_id, &issuer, &valid.email).await?;
    let operation = if valid.invite {
        "user.provision.invite"
    } else {
        "user.provision"
    };
    let exchange = Exchange::new(firm_id, PUSH, operation, ctx)
        .org(&org)
        .target(valid.email.clone());
    let request = Request {
        email: &valid.email,
        full_name: &valid.full_name,
        role: &valid.role,
        password: valid.password.as_deref(),
        invite: valid.invite,
    };
    match logto_provision::push(client, &org, request).await {
        Ok(pushed) => Ok(LogtoIdentity {
            issuer,
            org,
            pushed,
            exchange,
            existing,
        }),
        Err(e) => Err(exchange.failed(db, ctx, e).await),
    }
}

/// The local transaction with the rbac assignment as its last step.
async fn commit(
    db: &DbPool,
    rbac: &RbacClient,
    ctx: &TenantCtx,
    firm_id: Uuid,
    valid: ValidProvision,
    identity: &Identity,
) -> Result<Provisioned, ApiError> {
    let user_id = match identity {
        Identity::Logto(l) => l.existing.as_ref().map_or_else(Uuid::now_v7, |u| u.id),
        Identity::Local { .. } => Uuid::now_v7(),
    };
    let actor = Actor {
        user_id: ctx.user_id.map(|u| u.0),
        act_as: ctx.act_as.clone(),
    };
    let role = valid.role.clone();
    let assigned: Arc<Mutex<Option<Uuid>>> = Arc::default();
    let assigned_in_tx = assigned.clone();
    let result = with_tenant(db, ctx, |conn| {
        async move {
            let written = write_rows(conn, firm_id, user_id, actor, valid, identity).await?;
            // Last step, the transaction still open: a failure here rolls it all back.
            let assignment = rbac.assign(firm_id, user_id, &role).await?;
            if let Ok(mut slot) = assigned_in_tx.lock() {
                *slot = Some(assignment);
            }
            Ok(Provisioned {
                user: written.user,
                credentials: written.credentials,
                role_assignment_id: assignment,
                logto_member: written.member,
            })
        }
        .scope_boxed()
    })
    .await;
    let Err(error) = result else {
        tracing::info!(%firm_id, %user_id, "user provisioned");
        return result;
    };
    let assignment = assigned.lock().ok().and_then(|mut slot| slot.take());
    if let Some(assignment) = assignment {
        // The commit failed after rbac assigned the role: undo that.
        if let Err(e) = rbac.revoke(firm_id, assignment).await {
            tracing::error!(%firm_id, %user_id, %assignment, error = %e,
                "provisioning compensation failed: revoke this role assignment by hand");
        }
    }
    Err(error)
}
