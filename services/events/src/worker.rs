//! The consumer that records every event (`#`) into the log, exactly once: the
//! event id is the row's primary key, checked under the firm's chain lock in the
//! same transaction as the append, so a redelivery (after a lost ack or a broker
//! restart) is acknowledged without a second row or a second link.

use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{Consumer, ConsumerConfig, EventEnvelope};
use lawos_http::runtime::{ServiceEnv, Shutdown, Worker};

use crate::{NAME, storage};

/// Appends `envelope` in its firm's tenant transaction; `false` for a duplicate.
pub async fn record(db: &DbPool, envelope: &EventEnvelope) -> Result<bool, ApiError> {
    let ctx = TenantCtx {
        traceparent: envelope.traceparent.clone(),
        ..TenantCtx::firm(FirmId(storage::firm_of(envelope)), None)
    };
    let envelope = envelope.clone();
    with_tenant(db, &ctx, |conn| {
        async move { storage::append(conn, &envelope).await }.scope_boxed()
    })
    .await
}

/// The service's background work: the audit consumer.
pub fn workers(env: &ServiceEnv) -> Vec<Worker> {
    let db = env.db.clone();
    let consumer = Consumer::new(
        ConsumerConfig {
            amqp_url: env.config.amqp_url.clone(),
            service: NAME.to_owned(),
            bindings: vec!["#".to_owned()],
            ..ConsumerConfig::default()
        },
        move |envelope: EventEnvelope| {
            let db = db.clone();
            async move {
                match record(&db, &envelope).await {
                    Ok(true) => Ok(()),
                    Ok(false) => {
                        tracing::debug!(event_id = %envelope.id, "duplicate delivery; already recorded");
                        Ok(())
                    }
                    Err(e) => Err(anyhow::anyhow!("recording event {}: {e}", envelope.id)),
                }
            }
        },
    );
    vec![Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = consumer.run(shutdown.wait()).await {
                tracing::error!(error = %e, "audit consumer stopped");
            }
        })
    })]
}
