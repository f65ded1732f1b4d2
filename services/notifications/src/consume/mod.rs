//! The consumer of `notifications.events`: each event of the catalogue
//! becomes one notification per recipient (never the actor, never someone who
//! cannot see the resource: `lawos-authz` decides for the recipient when the
//! event is delivered), with its deliveries queued by preference, once
//! (`apply_once`); then each recipient's sessions hear of it on every instance.

pub mod communication;
pub mod compose;
pub mod directory;
pub mod recipients;
pub mod work;

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedBoxFuture;
use lawos_events::{Consumer, ConsumerConfig, EventEnvelope, EventHandler, apply_once};
use lawos_http::runtime::{Shutdown, Worker};
use uuid::Uuid;

use crate::state::NotifyState;
use crate::{NAME, QUEUE};

/// The inbox consumer name of notification effects.
pub const CONSUMER: &str = "notifications.events";

/// `effect` once per event (`consumer`'s inbox row in the same transaction);
/// `None` when it was applied before.
pub async fn once<'a, T, F>(
    conn: &mut AsyncPgConnection,
    consumer: &str,
    event_id: Uuid,
    effect: F,
) -> Result<Option<T>, ApiError>
where
    T: Send + 'a,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, ApiError>>
        + Send
        + 'a,
{
    apply_once(conn, NAME, consumer, event_id, effect).await
}

#[derive(diesel::QueryableByName)]
struct Taken {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    event_id: Uuid,
}

/// Records `ids` in `consumer`'s inbox in one statement (the caller's
/// transaction); the ones not recorded before, whose effects are to be applied
/// now (the batch form of [`once`]).
pub async fn once_each(
    conn: &mut AsyncPgConnection,
    consumer: &str,
    ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, ApiError> {
    use diesel_async::RunQueryDsl;
    let taken: Vec<Taken> = diesel::sql_query(
        "insert into notifications.inbox (event_id, consumer) \
         select unnest($1::uuid[]), $2 on conflict do nothing returning event_id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids.to_vec())
    .bind::<diesel::sql_types::Text, _>(consumer)
    .load(conn)
    .await?;
    Ok(taken.into_iter().map(|t| t.event_id).collect())
}

struct Handler(Arc<NotifyState>);

async fn handle_one(state: &NotifyState, event: EventEnvelope) -> anyhow::Result<()> {
    if directory::is_directory_event(&event.event_type) {
        return directory::apply(state, &event).await;
    }
    recipients::apply(state, &event)
        .await
        .map_err(|e| anyhow::anyhow!("{} {}: {e}", event.event_type, event.id))
}

impl EventHandler for Handler {
    async fn handle(&self, event: EventEnvelope) -> anyhow::Result<()> {
        handle_one(&self.0, event).await
    }

    /// Directory events in order, then the notification events of the batch
    /// together (one transaction per firm, each event applied once; a failure
    /// sends the batch back event by event).
    async fn handle_batch(&self, events: Vec<EventEnvelope>) -> anyhow::Result<()> {
        let (dir, rest): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| directory::is_directory_event(&e.event_type));
        for event in dir {
            handle_one(&self.0, event).await?;
        }
        if rest.is_empty() {
            return Ok(());
        }
        recipients::apply_batch(&self.0, &rest)
            .await
            .map_err(|e| anyhow::anyhow!("a batch of {} events: {e}", rest.len()))
    }
}

/// The consumer as a worker.
pub fn worker(state: Arc<NotifyState>, amqp_url: &str) -> Worker {
    // Up to 64 events per batch (one transaction per firm), and as many more
    // buffered by the broker meanwhile, so the next batch is at hand when
    // this one is acked.
    let consumer = Consumer::new(
        ConsumerConfig {
            prefetch: 128,
            batch: 64,
            ..QUEUE.config(amqp_url)
        },
        Handler(state),
    );
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "notifications consumer stopped");
            }
        })
    })
}
