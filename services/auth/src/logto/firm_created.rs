//! `firm.created` (from the tenants service) → the firm's Logto organization.
//!
//! - `logto_org_id` given: the firm is linked to that organization (its name is
//!   read from Logto when the bridge is configured).
//! - `create_logto_org` true and the bridge configured: the organization is
//!   created in Logto (named after the firm, `customData.lawosFirmId`) and linked.
//! - Otherwise (or the bridge off): nothing to do; the event is acknowledged.
//!
//! Exactly once through the inbox (`auth.inbox`, consumer `auth.logto_firms`); a
//! firm already linked is left as it is, so a redelivered event never creates
//! a second organization. A Logto failure writes a FAILED sync-log row and is
//! an error, so the event is redelivered (a bounded number of times, then
//! dead-lettered). Linking writes `logto_organization.created`.

use chrono::Utc;
use lawos_core::{ApiError, ErrorCode, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, EventEnvelope, apply_once};
use lawos_http::runtime::{ServiceEnv, Shutdown, Worker};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::client::Organization;
use super::model::{LogtoOrg, PULL, PUSH};
use super::{Bridge, Exchange, storage};
use crate::NAME;

pub const FIRM_CREATED: &str = "firm.created";

/// The queue `auth.events`: firms created (the Logto organization to make).
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: "auth",
    bindings: &[FIRM_CREATED],
};
pub const CONSUMER: &str = "auth.logto_firms";

/// The firm row as the tenants service's entity event carries it.
#[derive(Debug, Deserialize)]
struct FirmData {
    id: Uuid,
    name: String,
    #[serde(default)]
    logto_org_id: Option<String>,
    #[serde(default)]
    create_logto_org: bool,
}

fn bad_event(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, message)
}

/// Applies one `firm.created`; `Ok(true)` when it linked an organization.
#[tracing::instrument(skip_all, fields(event_id = %event.id))]
pub async fn apply(db: &DbPool, bridge: &Bridge, event: EventEnvelope) -> Result<bool, ApiError> {
    if event.event_type != FIRM_CREATED {
        return Err(bad_event(format!(
            "unexpected event type {}",
            event.event_type
        )));
    }
    let data: FirmData = serde_json::from_value(event.data.clone())
        .map_err(|e| bad_event(format!("firm.created data: {e}")))?;
    let firm_id = event.firm_id.unwrap_or(data.id);
    let ctx = TenantCtx {
        traceparent: event.traceparent.clone(),
        ..TenantCtx::firm(FirmId(firm_id), event.actor.user_id.map(UserId))
    };
    let existing = with_tenant(db, &ctx, |conn| {
        storage::org_of_firm(conn, firm_id).scope_boxed()
    })
    .await?;
    let wanted = data.logto_org_id.is_some() || data.create_logto_org;
    let client = bridge.client().ok();
    // What to link, and whether it was created here (to undo if the commit fails).
    let mut created: Option<Organization> = None;
    let link = match (&existing, &data.logto_org_id, client) {
        (Some(_), _, _) => None,
        (None, Some(org_id), client) => {
            let exchange = Exchange::new(firm_id, PULL, "org.link", &ctx).target(org_id.clone());
            let remote = match client {
                Some(client) => match client.organization(org_id).await {
                    Ok(remote) => remote,
                    Err(e) => return Err(exchange.failed(db, &ctx, e).await),
                },
                None => None,
            };
            let remote = remote.unwrap_or_else(|| Organization {
                id: org_id.clone(),
                name: data.name.clone(),
                description: None,
            });
            Some((remote, exchange))
        }
        (None, None, Some(client)) if data.create_logto_org => {
            let exchange =
                Exchange::new(firm_id, PUSH, "org.create", &ctx).target(data.name.clone());
            match client.create_organization(&data.name, None, firm_id).await {
                Ok(org) => {
                    created = Some(org.clone());
                    Some((org, exchange))
                }
                Err(e) => return Err(exchange.failed(db, &ctx, e).await),
            }
        }
        (None, None, None) if data.create_logto_org => {
            tracing::warn!(%firm_id, "createLogtoOrg asked, but the Logto bridge is not configured");
            None
        }
        _ => None,
    };
    let event_id = event.id;
    let created_here = created.is_some();
    let applied = with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, event_id, |conn| {
                async move {
                    let Some((org, exchange)) = link else {
                        return Ok(false);
                    };
                    let now = Utc::now();
                    let row = LogtoOrg {
                        id: Uuid::now_v7(),
                        firm_id,
                        logto_org_id: org.id.clone(),
                        name: org.name.chars().take(200).collect(),
                        description: org.description.clone().filter(|d| !d.is_empty()),
                        created_in_logto: created_here,
                        synced_at: Some(now),
                        created_at: now,
                        updated_at: now,
                    };
                    if !storage::insert_org(conn, &row).await? {
                        return Ok(false);
                    }
                    let exchange = Exchange {
                        logto_org_id: Some(org.id.clone()),
                        ..exchange
                    };
                    let details = json!({ "created": created_here, "name": row.name });
                    storage::insert_log(conn, exchange.succeeded(details)).await?;
                    Ok::<_, ApiError>(true)
                }
                .scope_boxed()
            })
            .await?;
            Ok(applied.unwrap_or(false))
        }
        .scope_boxed()
    })
    .await;
    match (&applied, &created, bridge.client()) {
        (Ok(true), _, _) => tracing::info!(%firm_id, "Logto organization linked"),
        (Ok(false), Some(org), Ok(client)) | (Err(_), Some(org), Ok(client)) => {
            // Created in Logto but not linked here: undo the creation.
            if let Err(e) = client.delete_organization(&org.id).await {
                tracing::error!(error = %e, org = %org.id,
                    "compensation failed: delete this Logto organization by hand");
            }
        }
        _ if wanted && existing.is_some() => tracing::debug!(%firm_id, "firm already linked"),
        _ => {}
    }
    applied
}

/// The consumer of `auth.events` for the bridge.
pub fn consumer(
    amqp_url: String,
    db: DbPool,
    bridge: Bridge,
) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(&amqp_url), move |event: EventEnvelope| {
        let db = db.clone();
        let bridge = bridge.clone();
        async move {
            apply(&db, &bridge, event)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    })
}

/// The bridge's background worker: the `firm.created` consumer.
pub fn worker(env: &ServiceEnv, bridge: Bridge) -> Worker {
    let consumer = consumer(env.config.amqp_url.clone(), env.db.clone(), bridge);
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "auth Logto consumer stopped");
            }
        })
    })
}
