//! Starting a support session (and its act-as token) and revoking one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lawos_cache::Cache;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::json;
use uuid::Uuid;

use super::model::{SessionView, SupportSession};
use super::{SESSION_REVOKED, SUPPORT_CLIENT_ID};
use crate::input::support::ValidStart;
use crate::state::AuthState;
use crate::storage::{self, support};
use crate::{NAME, roles};

/// How long `revoked-sid:{sid}` outlives the session: the validators' leeway.
const REVOKED_MARK_SLACK: Duration = Duration::from_secs(60);

/// A started session and its act-as token.
pub struct Started {
    pub session: SupportSession,
    pub access_token: String,
    pub expires_in: u64,
    pub scopes: Vec<String>,
}

fn unknown_target() -> ApiError {
    FieldErrors::single(
        "targetUserId",
        ErrorCode::InvalidFieldFormat,
        "is not an active member of firmId (platform administrators cannot be acted as)",
    )
    .into_api_error()
}

/// Starts a session of `admin` acting as the target, and signs its token.
pub async fn start(
    state: &AuthState,
    admin: UserId,
    valid: ValidStart,
) -> Result<Started, ApiError> {
    let now = Utc::now();
    let ctx = TenantCtx::platform(Some(admin));
    let row = SupportSession {
        id: Uuid::now_v7(),
        admin_user_id: admin.0,
        target_user_id: valid.target_user_id,
        firm_id: valid.firm_id,
        reason: valid.reason,
        starts_at: now,
        expires_at: now + chrono::Duration::minutes(valid.minutes),
        revoked_at: None,
        revoked_by: None,
    };
    let (user, profile, session) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let user = storage::find_user(conn, row.target_user_id).await?;
            let profile =
                storage::find_profile(conn, row.firm_id, row.target_user_id, false).await?;
            let (Some(user), Some(profile)) = (user, profile) else {
                return Err(unknown_target());
            };
            if !user.can_sign_in() || !profile.is_active || user.platform_role.is_some() {
                return Err(unknown_target());
            }
            let session = support::insert(conn, row).await?;
            Ok((user, profile, session))
        }
        .scope_boxed()
    })
    .await?;
    let roles = roles::roles(None, Some(profile.role.as_str()));
    let scopes = roles::scopes_for(&roles);
    let mut claims = crate::handlers::token::user_claims(
        state,
        &user,
        Some(&profile),
        SUPPORT_CLIENT_ID,
        session.id,
        &scopes,
    )
    .with_actor(admin.to_string());
    claims.exp = claims.exp.min(session.expires_at.timestamp());
    let access_token = state.sign(&claims).await?;
    let expires_in = u64::try_from(claims.exp - now.timestamp()).unwrap_or(0);
    tracing::info!(sid = %session.id, admin = %admin, target = %user.id, firm = %session.firm_id,
        "support session started");
    Ok(Started {
        session,
        access_token,
        expires_in,
        scopes,
    })
}

/// The Redis name marking `sid` revoked (read by `lawos_http::revocation`).
pub fn revoked_mark(sid: Uuid) -> String {
    format!("{}{sid}", lawos_http::revocation::REVOKED_SID_PREFIX)
}

/// Marks the session's tokens revoked for every validator, until they expire.
async fn mark_revoked(cache: Option<&Cache>, session: &SupportSession, now: DateTime<Utc>) {
    let remaining = (session.expires_at - now).to_std().unwrap_or_default() + REVOKED_MARK_SLACK;
    let Some(cache) = cache else {
        tracing::error!(sid = %session.id, "no Redis: the revoked session's tokens stay valid until they expire");
        return;
    };
    let mark = json!({ "revokedAt": now });
    if let Err(e) = cache
        .set_json(&revoked_mark(session.id), &mark, remaining)
        .await
    {
        tracing::error!(sid = %session.id, error = %e, "marking the session revoked in Redis failed");
    }
}

/// Revokes a session the context may see: the row, `support_session.revoked`
/// and the Redis mark. Revoking a revoked session changes nothing.
pub async fn revoke(
    state: &AuthState,
    cache: Option<&Cache>,
    ctx: &TenantCtx,
    id: Uuid,
    by: UserId,
) -> Result<SessionView, ApiError> {
    let now = Utc::now();
    let act_as = ctx.act_as.clone();
    let session = with_tenant(&state.db, ctx, |conn| {
        async move {
            let session = support::find(conn, id, true)
                .await?
                .ok_or_else(|| ApiError::not_found("SupportSession", id))?;
            if session.revoked_at.is_some() {
                return Ok(session);
            }
            let session = support::revoke(conn, id, by.0, now).await?;
            let event =
                EventEnvelope::builder(SESSION_REVOKED, EntityRef::new("support_session", id))
                    .firm(session.firm_id)
                    .user(Some(by.0))
                    .act_as(act_as)
                    .traceparent(lawos_telemetry::traceparent_from_current_span())
                    .data(json!({
                        "sessionId": id,
                        "adminUserId": session.admin_user_id,
                        "targetUserId": session.target_user_id,
                        "expiresAt": session.expires_at,
                    }))
                    .build();
            lawos_events::enqueue(conn, NAME, &event)
                .await
                .map_err(ApiError::internal)?;
            Ok(session)
        }
        .scope_boxed()
    })
    .await?;
    // After the commit, and for an already revoked session too (a lost mark is re-set).
    if session.expires_at > now {
        mark_revoked(cache, &session, now).await;
    }
    tracing::info!(sid = %id, by = %by, "support session revoked");
    Ok(session.into())
}
