//! Matter activity from other services: the consumer of `matters.events`
//! records, for `task.completed` filed under a matter (`data.matterId`), the
//! matter's `last_activity_at` in `matter_activity` (the later of what it had and
//! the event's `occurredAt`), applied once per event (inbox). The timeline shows
//! the event itself, from the events service (filed under the matter).

use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, EventEnvelope, QueueBindings, apply_once};
use uuid::Uuid;

use crate::NAME;

pub const TASK_COMPLETED: &str = "task.completed";
/// The inbox consumer name.
pub const CONSUMER: &str = "matters.activity";

/// The queue `matters.events`.
pub const QUEUE: QueueBindings = QueueBindings {
    service: NAME,
    bindings: &[TASK_COMPLETED],
};

/// Applies one event; `Ok(false)` when it had been applied before or names no matter.
#[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type))]
pub async fn apply(db: &DbPool, event: EventEnvelope) -> Result<bool, ApiError> {
    let Some(firm) = event.firm_id else {
        return Ok(false);
    };
    let matter = event.data["matterId"]
        .as_str()
        .and_then(|m| m.parse::<Uuid>().ok());
    let Some(matter) = matter else {
        return Ok(false);
    };
    let ctx = TenantCtx::firm(FirmId(firm), event.actor.user_id.map(UserId));
    let (id, at, kind) = (event.id, event.occurred_at, event.event_type.clone());
    with_tenant(db, &ctx, |conn| {
        async move {
            let applied = apply_once(conn, NAME, CONSUMER, id, |conn| {
                async move {
                    diesel::sql_query(
                        "insert into matter_activity (firm_id, matter_id, last_activity_at, last_event_type, last_event_id) \
                         values ($1, $2, $3, $4, $5) on conflict (firm_id, matter_id) do update \
                         set last_activity_at = greatest(matter_activity.last_activity_at, excluded.last_activity_at), \
                             last_event_type = case when excluded.last_activity_at >= matter_activity.last_activity_at \
                                 then excluded.last_event_type else matter_activity.last_event_type end, \
                             last_event_id = case when excluded.last_activity_at >= matter_activity.last_activity_at \
                                 then excluded.last_event_id else matter_activity.last_event_id end, \
                             updated_at = now()",
                    )
                    .bind::<SqlUuid, _>(firm)
                    .bind::<SqlUuid, _>(matter)
                    .bind::<Timestamptz, _>(at)
                    .bind::<Text, _>(kind)
                    .bind::<SqlUuid, _>(id)
                    .execute(conn)
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

/// The consumer of `matters.events`.
pub fn consumer(amqp_url: &str, db: DbPool) -> Consumer<impl lawos_events::EventHandler> {
    Consumer::new(QUEUE.config(amqp_url), move |event: EventEnvelope| {
        let db = db.clone();
        async move {
            apply(&db, event)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{}", e.message))
        }
    })
}
