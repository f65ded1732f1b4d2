//! The user directory from auth's entity events: `user.*` (e-mail, name,
//! active) and `firm_user_profile.*` (phone, role, active in a firm). A
//! deactivation closes the user's sockets on every instance.

use chrono::Utc;
use lawos_core::FirmId;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_events::EventEnvelope;
use serde::Deserialize;
use uuid::Uuid;

use crate::live::{LiveMessage, USER_DEACTIVATED};
use crate::state::NotifyState;
use crate::storage::directory;

const CONSUMER: &str = "notifications.directory";

#[derive(Deserialize)]
struct UserRow {
    id: Uuid,
    email: Option<String>,
    full_name: Option<String>,
    #[serde(default = "yes")]
    is_active: bool,
    deleted_at: Option<String>,
}

#[derive(Deserialize)]
struct ProfileRow {
    firm_id: Uuid,
    user_id: Uuid,
    phone: Option<String>,
    role: Option<String>,
    #[serde(default = "yes")]
    is_active: bool,
    deleted_at: Option<String>,
}

fn yes() -> bool {
    true
}

pub fn is_directory_event(event_type: &str) -> bool {
    event_type.starts_with("user.") || event_type.starts_with("firm_user_profile.")
}

/// Applies one directory event (once), then closes the sockets of someone
/// deactivated.
pub async fn apply(state: &NotifyState, event: &EventEnvelope) -> anyhow::Result<()> {
    apply_event(state, event)
        .await
        .map_err(|e| anyhow::anyhow!("{} {}: {e}", event.event_type, event.id))
}

async fn apply_event(
    state: &NotifyState,
    event: &EventEnvelope,
) -> Result<(), lawos_core::ApiError> {
    let deleted = event.event_type.ends_with(".deleted");
    let at = event.occurred_at.min(Utc::now());
    let closed = if event.event_type.starts_with("user.") {
        let row: UserRow =
            serde_json::from_value(event.data.clone()).map_err(lawos_core::ApiError::internal)?;
        let active = row.is_active && row.deleted_at.is_none() && !deleted;
        let id = event.id;
        with_tenant(&state.db, &TenantCtx::default(), |conn| {
            async move {
                super::once(conn, CONSUMER, id, |conn| {
                    async move {
                        directory::upsert_user(
                            conn,
                            row.id,
                            row.email.as_deref(),
                            row.full_name.as_deref(),
                            active,
                            at,
                        )
                        .await
                    }
                    .scope_boxed()
                })
                .await
            }
            .scope_boxed()
        })
        .await?;
        (!active).then_some((None, row.id))
    } else {
        let row: ProfileRow =
            serde_json::from_value(event.data.clone()).map_err(lawos_core::ApiError::internal)?;
        let active = row.is_active && row.deleted_at.is_none() && !deleted;
        let (id, firm, user) = (event.id, row.firm_id, row.user_id);
        with_tenant(&state.db, &TenantCtx::firm(FirmId(firm), None), |conn| {
            async move {
                super::once(conn, CONSUMER, id, |conn| {
                    async move {
                        directory::upsert_member(
                            conn,
                            firm,
                            user,
                            row.phone.as_deref(),
                            row.role.as_deref(),
                            active,
                            at,
                        )
                        .await
                    }
                    .scope_boxed()
                })
                .await
            }
            .scope_boxed()
        })
        .await?;
        (!active).then_some((Some(firm), user))
    };
    if let Some((firm_id, user_id)) = closed {
        tracing::info!(%user_id, ?firm_id, "user deactivated: closing their sockets");
        state
            .live
            .publish(&LiveMessage::Close {
                firm_id,
                user_id,
                reason: USER_DEACTIVATED.to_owned(),
            })
            .await;
    }
    Ok(())
}
