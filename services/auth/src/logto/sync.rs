//! `POST /api/v1/auth/firms/{firmId}/logto/sync`: pulls the firm's organization
//! and its members (with their organization roles) from Logto into the cache,
//! mirrors each member with an e-mail as a user (issuer + subject), turns
//! accepted invitations into members, and drops members Logto no longer has.
//! Open invitations stay: they live only here until accepted.

use std::collections::HashMap;

use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::client::{OrgMember, RoleRef};
use super::model::{ACTIVE, INVITED, LogtoOrg, Membership, PULL};
use super::{Bridge, Exchange, LogtoError, linked_org, mirror, storage};

pub const OPERATION: &str = "org.sync";

/// What a sync changed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub organization: LogtoOrg,
    pub members: usize,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
}

pub fn roles_json(roles: &[RoleRef]) -> serde_json::Value {
    let mut roles = roles.to_vec();
    roles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    json!(roles)
}

pub async fn sync(
    db: &DbPool,
    bridge: &Bridge,
    ctx: &TenantCtx,
    firm_id: Uuid,
) -> Result<SyncReport, ApiError> {
    let client = bridge.client()?;
    let org = linked_org(db, ctx, firm_id).await?;
    let exchange = Exchange::new(firm_id, PULL, OPERATION, ctx).org(&org);
    let pulled = async {
        let remote = client
            .organization(&org.logto_org_id)
            .await?
            .ok_or_else(|| LogtoError::Status {
                call: format!("/organizations/{}", org.logto_org_id),
                status: 404,
            })?;
        let members = client.organization_members(&org.logto_org_id).await?;
        Ok::<_, LogtoError>((remote, members))
    }
    .await;
    let (remote, members) = match pulled {
        Ok(pulled) => pulled,
        Err(e) => return Err(exchange.failed(db, ctx, e).await),
    };
    let issuer = client.issuer();
    let logged = exchange.clone();
    let synced = with_tenant(db, ctx, |conn| {
        async move {
            let now = Utc::now();
            let current = storage::all_members(conn, firm_id).await?;
            let (mut added, mut updated, mut removed) = (0, 0, 0);
            let by_user: HashMap<String, &Membership> = current
                .iter()
                .filter_map(|m| m.logto_user_id.clone().map(|u| (u, m)))
                .collect();
            let mut kept: Vec<Uuid> = Vec::new();
            for member in &members {
                let email = mirror::email_of(&member.user);
                let user_id = mirror::upsert(conn, &issuer, &member.user, now).await?;
                let existing = by_user.get(&member.user.id).copied().or_else(|| {
                    // An invitation accepted in Logto: the invitee is a member now.
                    current
                        .iter()
                        .find(|m| m.logto_user_id.is_none() && email.is_some() && m.email == email)
                });
                let next = row(&org, member, email, user_id, existing, now);
                kept.push(next.id);
                match existing {
                    Some(existing) => {
                        if existing.status == INVITED
                            && let Some(user) = next.user_id
                        {
                            storage::activate_profile(conn, firm_id, user, now).await?;
                        }
                        if storage::update_member(conn, existing, &next).await? {
                            updated += 1;
                        }
                    }
                    None => {
                        storage::insert_member(conn, next).await?;
                        added += 1;
                    }
                }
            }
            for gone in current
                .iter()
                .filter(|m| m.status == ACTIVE && !kept.contains(&m.id))
            {
                storage::delete_member(conn, gone.id).await?;
                removed += 1;
            }
            let description = remote.description.as_deref().filter(|d| !d.is_empty());
            let name: String = remote.name.chars().take(200).collect();
            storage::mark_synced(conn, org.id, &name, description, now).await?;
            let details = json!({
                "members": members.len(), "added": added, "updated": updated, "removed": removed,
            });
            storage::insert_log(conn, exchange.succeeded(details)).await?;
            let organization = storage::org_of_firm(conn, firm_id)
                .await?
                .ok_or_else(|| super::not_linked(firm_id))?;
            tracing::info!(%firm_id, added, updated, removed, "Logto organization synced");
            Ok(SyncReport {
                organization,
                members: members.len(),
                added,
                updated,
                removed,
            })
        }
        .scope_boxed()
    })
    .await;
    match synced {
        Ok(report) => Ok(report),
        // The pull worked but the cache could not be written: log that too.
        Err(e) => Err(logged.failed(db, ctx, e).await),
    }
}

fn row(
    org: &LogtoOrg,
    member: &OrgMember,
    email: Option<String>,
    user_id: Option<Uuid>,
    existing: Option<&Membership>,
    now: chrono::DateTime<Utc>,
) -> Membership {
    let name = mirror::name_of(&member.user, email.as_deref());
    Membership {
        id: existing.map_or_else(Uuid::now_v7, |m| m.id),
        firm_id: org.firm_id,
        organization_id: org.id,
        logto_user_id: Some(member.user.id.clone()),
        user_id,
        email,
        name: Some(name),
        roles: roles_json(&member.organization_roles),
        status: ACTIVE.to_owned(),
        invitation_id: existing.and_then(|m| m.invitation_id.clone()),
        created_at: existing.map_or(now, |m| m.created_at),
        updated_at: now,
    }
}
