//! The matter-membership projection: `matter.member_added` and
//! `matter.member_removed` from the matters service, applied exactly once
//! (inbox + effect in one transaction), each followed by `permission.changed`
//! for the member.
//!
//! Event `data`: `{ matterId, userId, role, startsAt, endsAt }` (the last three
//! optional; `member_removed` needs only `matterId` and `userId`).

use chrono::{DateTime, Utc};
use lawos_core::{ApiError, ErrorCode, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{EntityRef, EventEnvelope, apply_once};
use serde::Deserialize;
use uuid::Uuid;

use crate::model::MatterMember;
use crate::{NAME, events, storage};

pub const MEMBER_ADDED: &str = "matter.member_added";
pub const MEMBER_REMOVED: &str = "matter.member_removed";
/// Routing keys bound to `rbac.events`. (A topic `*` matches a whole word, so
/// `matter.member_*` would not match these: they are bound one by one.)
pub const BINDINGS: [&str; 2] = [MEMBER_ADDED, MEMBER_REMOVED];
/// The inbox consumer name.
pub const CONSUMER: &str = "rbac.matter_members";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberData {
    matter_id: Uuid,
    user_id: Uuid,
    role: Option<String>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

fn bad_event(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, message)
}

/// Applies one membership event; `Ok(false)` when it had been applied before.
/// An event without a firm or with bad data is an error (redelivered a bounded
/// number of times, then dead-lettered).
#[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type))]
pub async fn apply(db: &DbPool, event: EventEnvelope) -> Result<bool, ApiError> {
    let firm = event
        .firm_id
        .ok_or_else(|| bad_event("membership event without firmId"))?;
    let added = match event.event_type.as_str() {
        MEMBER_ADDED => true,
        MEMBER_REMOVED => false,
        other => return Err(bad_event(format!("unexpected event type {other}"))),
    };
    let data: MemberData = serde_json::from_value(event.data.clone())
        .map_err(|e| bad_event(format!("membership event data: {e}")))?;
    let ctx = TenantCtx {
        act_as: event.actor.act_as.clone(),
        traceparent: event.traceparent.clone(),
        ..TenantCtx::firm(FirmId(firm), event.actor.user_id.map(UserId))
    };
    let event_id = event.id;
    let actor = event.actor.user_id;
    with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, event_id, |conn| {
                async move {
                    if added {
                        let member = MatterMember {
                            firm_id: firm,
                            matter_id: data.matter_id,
                            user_id: data.user_id,
                            role: data.role,
                            starts_at: data.starts_at,
                            ends_at: data.ends_at,
                            updated_at: Utc::now(),
                        };
                        storage::upsert_member(conn, member).await?;
                    } else {
                        storage::remove_member(conn, data.matter_id, data.user_id).await?;
                    }
                    let reason = if added { MEMBER_ADDED } else { MEMBER_REMOVED };
                    events::permission_changed(
                        conn,
                        firm,
                        actor,
                        EntityRef::new("matter", data.matter_id),
                        &[data.user_id],
                        reason,
                    )
                    .await?;
                    Ok::<_, ApiError>(())
                }
                .scope_boxed()
            })
            .await?;
            Ok(applied.is_some())
        }
        .scope_boxed()
    })
    .await
}
