//! The consumer that records every event (`#`) into the log, exactly once: the
//! event id is the row's primary key, checked under the firm's chain lock in the
//! same transaction as the append, so a redelivery (after a lost ack or a broker
//! restart) is acknowledged without a second row or a second link.
//!
//! Events are taken in batches of what the broker has already delivered (up to
//! [`BATCH`]): one transaction per firm in the batch, a constant number of
//! statements each, so the log keeps up with a busy platform.

use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, ConsumerConfig, EventEnvelope, EventHandler};
use lawos_http::runtime::{ServiceEnv, Shutdown, Worker};
use uuid::Uuid;

use crate::{NAME, storage};

/// Most events recorded per batch.
pub const BATCH: u16 = 64;

/// Appends `envelope` in its firm's tenant transaction; `false` for a duplicate.
pub async fn record(db: &DbPool, envelope: &EventEnvelope) -> Result<bool, ApiError> {
    Ok(record_all(db, std::slice::from_ref(envelope)).await? == 1)
}

/// Appends `envelopes` (in arrival order), one tenant transaction per firm;
/// answers how many were new.
pub async fn record_all(db: &DbPool, envelopes: &[EventEnvelope]) -> Result<usize, ApiError> {
    let mut firms: Vec<(Uuid, Vec<EventEnvelope>)> = Vec::new();
    for envelope in envelopes {
        let firm = storage::firm_of(envelope);
        match firms.iter_mut().find(|(f, _)| *f == firm) {
            Some((_, batch)) => batch.push(envelope.clone()),
            None => firms.push((firm, vec![envelope.clone()])),
        }
    }
    let mut added = 0;
    for (firm, batch) in firms {
        let ctx = TenantCtx {
            traceparent: batch.first().and_then(|e| e.traceparent.clone()),
            ..TenantCtx::firm(FirmId(firm), None)
        };
        added += with_tenant(db, &ctx, |conn| {
            async move { storage::append_all(conn, firm, &batch).await }.scope_boxed()
        })
        .await?;
    }
    Ok(added)
}

struct Recorder {
    db: DbPool,
}

impl EventHandler for Recorder {
    async fn handle(&self, envelope: EventEnvelope) -> anyhow::Result<()> {
        match record(&self.db, &envelope).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::debug!(event_id = %envelope.id, "duplicate delivery; already recorded");
                Ok(())
            }
            Err(e) => Err(anyhow::anyhow!("recording event {}: {e}", envelope.id)),
        }
    }

    async fn handle_batch(&self, envelopes: Vec<EventEnvelope>) -> anyhow::Result<()> {
        let added = record_all(&self.db, &envelopes)
            .await
            .map_err(|e| anyhow::anyhow!("recording {} events: {e}", envelopes.len()))?;
        if added < envelopes.len() {
            tracing::debug!(
                duplicates = envelopes.len() - added,
                "duplicate deliveries; already recorded"
            );
        }
        Ok(())
    }
}

/// The queue `events.events`: every event.
pub const QUEUE: lawos_events::QueueBindings = lawos_events::QueueBindings {
    service: NAME,
    bindings: &["#"],
};

/// The service's background work: the audit consumer.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let consumer = Consumer::new(
        ConsumerConfig {
            batch: BATCH,
            ..QUEUE.config(&env.config.amqp_url)
        },
        Recorder { db: env.db.clone() },
    );
    vec![Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "audit consumer stopped");
            }
        })
    })]
}
