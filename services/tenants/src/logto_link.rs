//! `logto_organization.created` (from the auth service's Logto bridge) → the
//! firm's `logtoOrgId`, so `GET /api/v1/tenants/resolve?logto_org_id=` finds a
//! firm whose organization auth created or linked.
//!
//! Exactly once through the inbox (`tenants.inbox`, consumer
//! `tenants.logto_links`). A firm without an organization id takes the linked
//! one; a firm that already names the same one is left as it is; a firm that
//! names another one, or an organization id another firm holds, is left as it
//! is and logged (the operator decides; the event is acknowledged, never
//! retried into the dead-letter queue for a conflict retrying cannot solve).

use lawos_core::{ApiError, ErrorCode, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, EventEnvelope, apply_once};
use serde::Deserialize;
use uuid::Uuid;

use crate::model::{Firm, FirmChanges};
use crate::state::TenantsState;
use crate::{NAME, storage};

pub const ORG_LINKED: &str = "logto_organization.created";

/// The queue `tenants.events`: Logto organizations linked to firms.
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: NAME,
    bindings: &[ORG_LINKED],
};
/// The inbox consumer name.
pub const CONSUMER: &str = "tenants.logto_links";

/// The auth service's `logto_organizations` row as its entity event carries it.
#[derive(Debug, Deserialize)]
struct LinkData {
    firm_id: Uuid,
    logto_org_id: String,
}

/// What applying one link did.
#[derive(Debug)]
pub enum Outcome {
    /// The firm now names the organization.
    Linked(Box<Firm>),
    /// Nothing to change: already linked to it, applied before, or no such firm.
    Unchanged,
    /// Left alone: the firm names another organization, or another firm holds this one.
    Conflict,
}

/// Applies one `logto_organization.created`.
#[tracing::instrument(skip_all, fields(event_id = %event.id))]
pub async fn apply(db: &DbPool, event: EventEnvelope) -> Result<Outcome, ApiError> {
    if event.event_type != ORG_LINKED {
        return Err(ApiError::new(
            ErrorCode::ValidationError,
            format!("unexpected event type {}", event.event_type),
        ));
    }
    let data: LinkData = serde_json::from_value(event.data.clone()).map_err(|e| {
        ApiError::new(
            ErrorCode::ValidationError,
            format!("{ORG_LINKED} data: {e}"),
        )
    })?;
    let ctx = TenantCtx {
        traceparent: event.traceparent.clone(),
        ..TenantCtx::platform(event.actor.user_id.map(UserId))
    };
    let event_id = event.id;
    with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, event_id, |conn| {
                async move {
                    let Some(firm) = storage::lock_firm(conn, data.firm_id).await? else {
                        tracing::warn!(firm_id = %data.firm_id, "organization linked to an unknown firm");
                        return Ok(Outcome::Unchanged);
                    };
                    match &firm.logto_org_id {
                        Some(org) if *org == data.logto_org_id => return Ok(Outcome::Unchanged),
                        Some(org) => {
                            tracing::warn!(firm_id = %firm.id, firm_org = %org, linked = %data.logto_org_id,
                                "the firm names another Logto organization than auth linked; left as it is");
                            return Ok(Outcome::Conflict);
                        }
                        None => {}
                    }
                    let holder = storage::resolve(conn, "logto_org_id", &data.logto_org_id).await?;
                    if let Some(other) = holder.filter(|f| f.id != firm.id) {
                        tracing::warn!(firm_id = %firm.id, holder = %other.id, org = %data.logto_org_id,
                            "another firm already names this Logto organization; left as it is");
                        return Ok(Outcome::Conflict);
                    }
                    let changes = FirmChanges {
                        logto_org_id: Some(Some(data.logto_org_id)),
                        updated_at: Some(chrono::Utc::now()),
                        ..FirmChanges::default()
                    };
                    let firm = storage::update_firm(conn, firm.id, changes).await?;
                    Ok::<_, ApiError>(Outcome::Linked(Box::new(firm)))
                }
                .scope_boxed()
            })
            .await?;
            Ok(applied.unwrap_or(Outcome::Unchanged))
        }
        .scope_boxed()
    })
    .await
}

/// The consumer of `tenants.events`; a linked firm is written through the cache.
pub fn consumer(
    amqp_url: String,
    state: TenantsState,
) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(&amqp_url), move |event: EventEnvelope| {
        let state = state.clone();
        async move {
            match apply(&state.db, event).await {
                Ok(Outcome::Linked(firm)) => {
                    tracing::info!(firm_id = %firm.id, "firm linked to its Logto organization");
                    state.write_through(&firm).await;
                    Ok(())
                }
                Ok(_) => Ok(()),
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
    })
}
