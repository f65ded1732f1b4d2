//! What channels does with other services' events (queue `channels.events`),
//! each effect applied exactly once (inbox and effect in one tenant transaction):
//!
//! - `matter.created` → the matter's default channel (context MATTER, kind
//!   INTERNAL, the matter's title), once; its user participants follow the
//!   matter's team through the member events, which the matters service
//!   writes after the matter in the same outbox (so they arrive after it);
//! - `matter.member_added` / `matter.member_removed` (data `{matterId, userId, …}`)
//!   → the user joins / leaves the matter's default channel;
//! - `message.sent` / `message.received` (data `{channelId, …}`) → the
//!   channel's `lastActivityAt` becomes the later of itself and the envelope's
//!   `occurredAt`.

use lawos_core::{ApiError, ErrorCode, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, EventEnvelope, apply_once};
use serde_json::Value;
use uuid::Uuid;

use crate::NAME;
use crate::model::{Context, NewChannel};
use crate::storage::{activity, channels, participants};

pub const MATTER_CREATED: &str = "matter.created";
pub const MEMBER_ADDED: &str = "matter.member_added";
pub const MEMBER_REMOVED: &str = "matter.member_removed";
pub const MESSAGE_SENT: &str = "message.sent";
pub const MESSAGE_RECEIVED: &str = "message.received";

/// The queue `channels.events`.
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: NAME,
    bindings: &[
        MATTER_CREATED,
        MEMBER_ADDED,
        MEMBER_REMOVED,
        MESSAGE_SENT,
        MESSAGE_RECEIVED,
    ],
};
/// The inbox consumer name.
pub const CONSUMER: &str = "channels.context";
/// A channel title's longest (a matter's title may be longer).
const TITLE_MAX: usize = 200;

fn bad(event: &EventEnvelope, what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        format!("{} without {what}", event.event_type),
    )
}

fn uuid_at(data: &Value, key: &str) -> Option<Uuid> {
    data[key].as_str().and_then(|s| s.parse().ok())
}

/// The title of a matter's channel: the matter's, cut to what a channel takes.
fn matter_title(data: &Value) -> String {
    let title = data["title"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or_else(|| data["matter_number"].as_str())
        .unwrap_or("Matter");
    title.chars().take(TITLE_MAX).collect()
}

/// Applies one event; `Ok(false)` when it had been applied before (or is not
/// one this service acts on).
#[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type))]
pub async fn apply(db: &DbPool, event: EventEnvelope) -> Result<bool, ApiError> {
    if !QUEUE.bindings.contains(&event.event_type.as_str()) {
        return Ok(false);
    }
    let firm = event.firm_id.ok_or_else(|| bad(&event, "firmId"))?;
    let ctx = TenantCtx {
        traceparent: event.traceparent.clone(),
        ..TenantCtx::firm(FirmId(firm), event.actor.user_id.map(UserId))
    };
    let event_id = event.id;
    with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, event_id, |conn| {
                async move { effect(conn, firm, &event).await }.scope_boxed()
            })
            .await?;
            Ok(applied.is_some())
        }
        .scope_boxed()
    })
    .await
}

async fn effect(
    conn: &mut diesel_async::AsyncPgConnection,
    firm: Uuid,
    event: &EventEnvelope,
) -> Result<(), ApiError> {
    let data = &event.data;
    match event.event_type.as_str() {
        MATTER_CREATED => {
            let matter = event.entity.id;
            let by = uuid_at(data, "created_by").or(event.actor.user_id);
            let new = NewChannel::new(
                firm,
                Context::Matter(matter),
                "INTERNAL",
                &matter_title(data),
                by,
            );
            let created = channels::insert_default(conn, new, &[]).await?;
            tracing::info!(%matter, created = created.is_some(), "matter channel");
        }
        MEMBER_ADDED | MEMBER_REMOVED => {
            let matter = uuid_at(data, "matterId").ok_or_else(|| bad(event, "matterId"))?;
            let user = uuid_at(data, "userId").ok_or_else(|| bad(event, "userId"))?;
            let Some(channel) =
                channels::find_default(conn, Context::Matter(matter), "INTERNAL").await?
            else {
                tracing::info!(%matter, "no default channel for the matter's member");
                return Ok(());
            };
            let id = channel.row.id;
            if event.event_type == MEMBER_ADDED {
                let by = event.actor.user_id;
                participants::ensure_user(conn, firm, id, user, by).await?;
            } else {
                participants::remove_user(conn, id, user, event.occurred_at).await?;
            }
        }
        _ => {
            let channel = uuid_at(data, "channelId").ok_or_else(|| bad(event, "channelId"))?;
            if !activity::touch(conn, channel, event.occurred_at).await? {
                tracing::info!(%channel, "activity of an unknown channel");
            }
        }
    }
    Ok(())
}

/// The consumer of `channels.events`.
pub fn consumer(amqp_url: &str, db: DbPool) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(amqp_url), move |event: EventEnvelope| {
        let db = db.clone();
        async move {
            apply(&db, event)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_matter_channel_is_titled_after_the_matter() {
        assert_eq!(
            matter_title(&json!({ "title": " Smith v Jones " })),
            "Smith v Jones"
        );
        assert_eq!(
            matter_title(&json!({ "matter_number": "2026-00001" })),
            "2026-00001"
        );
        let long = "x".repeat(300);
        assert_eq!(matter_title(&json!({ "title": long })).len(), TITLE_MAX);
    }
}
