//! Provisioning a user into a firm (`POST /api/v1/auth/firms/{firmId}/users`):
//! identity (users row + local argon2id password), firm profile, lawyer
//! credentials, the `user.provisioned` event, and the role assignment in rbac.
//!
//! How nothing is left behind when a step fails: every row of this service and
//! the event are written in ONE transaction, and the rbac call is made last,
//! while that transaction is still open.
//!
//! - Any failure before the rbac call, or the rbac call itself failing (rbac
//!   down, refusing, timing out), returns an error from the transaction, which
//!   rolls back: no user, profile, password, credential or event exists, and
//!   rbac holds nothing.
//! - rbac succeeding and the commit then failing is the one case that needs a
//!   compensation: the assignment is revoked in rbac (`DELETE …/assignments/{id}`;
//!   rbac keeps revoked assignments as history, which grants nothing). If the
//!   revocation fails too, it is logged with the assignment id.
//!
//! This is cleaner than committing first and deleting rows afterwards: deleted
//! rows would already have published `user.created` entity events, and a
//! compensating delete can itself fail and leave an orphan identity. The cost is
//! one HTTP round trip made while a transaction is open (bounded by the client's
//! 10 s timeout).

use std::sync::{Arc, Mutex};

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Actor, EntityRef, EventEnvelope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::input::provision::ValidProvision;
use crate::model::{LawyerCredential, NewCredential, Profile, User};
use crate::rbac::RbacClient;
use crate::state::LOCAL_ISSUER;
use crate::storage::{self, credentials};
use crate::views::AdminUser;
use crate::{NAME, crypto};

pub const USER_PROVISIONED: &str = "user.provisioned";

/// The answer to a provisioning: the user as administrators see them, their
/// credentials and the rbac assignment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provisioned {
    #[serde(flatten)]
    pub user: AdminUser,
    pub credentials: Vec<LawyerCredential>,
    pub role_assignment_id: Uuid,
}

/// Writes the identity, profile, credentials and event (not committed yet).
async fn write_rows(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    actor: Actor,
    valid: ValidProvision,
    password_hash: String,
) -> Result<(AdminUser, Vec<LawyerCredential>), ApiError> {
    let now = Utc::now();
    let user = storage::insert_user(
        conn,
        User {
            id: user_id,
            issuer: LOCAL_ISSUER.to_owned(),
            subject: user_id.to_string(),
            email: valid.email,
            full_name: valid.full_name,
            platform_role: None,
            is_active: true,
            synced_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await?;
    let credential = NewCredential {
        user_id,
        password_hash,
    };
    storage::insert_credential(conn, credential).await?;
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
            is_active: true,
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
    Ok((AdminUser::new(user, vec![profile]), written))
}

/// Runs the whole provisioning; see the module note for the failure cases.
pub async fn provision(
    db: &DbPool,
    rbac: &RbacClient,
    ctx: &TenantCtx,
    firm_id: Uuid,
    valid: ValidProvision,
) -> Result<Provisioned, ApiError> {
    let password = valid.password.clone();
    let hash = tokio::task::spawn_blocking(move || crypto::hash_secret(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let user_id = Uuid::now_v7();
    let actor = Actor {
        user_id: ctx.user_id.map(|u| u.0),
        act_as: ctx.act_as.clone(),
    };
    let role = valid.role.clone();
    let assigned: Arc<Mutex<Option<Uuid>>> = Arc::default();
    let assigned_in_tx = assigned.clone();
    let result = with_tenant(db, ctx, |conn| {
        async move {
            let (user, creds) = write_rows(conn, firm_id, user_id, actor, valid, hash).await?;
            // Last step, the transaction still open: a failure here rolls it all back.
            let assignment = rbac.assign(firm_id, user_id, &role).await?;
            if let Ok(mut slot) = assigned_in_tx.lock() {
                *slot = Some(assignment);
            }
            Ok(Provisioned {
                user,
                credentials: creds,
                role_assignment_id: assignment,
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
