//! What a service consumes, as data: its queue `<service>.events` and the event
//! types bound to it. The consumer declares it when it starts; the platform's
//! topology step declares every service's before any service runs, so an event
//! published by an early phase is queued for a consumer of a later phase.

use crate::ConsumerConfig;

/// One service's queue and its bindings on `lawos.events`.
#[derive(Debug, Clone, Copy)]
pub struct QueueBindings {
    /// Names the queue `<service>.events` and its DLQ.
    pub service: &'static str,
    /// Topic patterns, e.g. `matter.created`, `firm.*`, `#`.
    pub bindings: &'static [&'static str],
}

impl QueueBindings {
    /// A consumer configuration for this queue on `amqp_url` (defaults otherwise).
    pub fn config(&self, amqp_url: &str) -> ConsumerConfig {
        ConsumerConfig {
            amqp_url: amqp_url.to_owned(),
            service: self.service.to_owned(),
            bindings: self.bindings.iter().map(|b| (*b).to_owned()).collect(),
            ..ConsumerConfig::default()
        }
    }
}

/// The platform's topology step: declares every queue of `queues` exactly as
/// its consumer does when it starts (the `lawos.events` exchange, the DLX, the
/// quorum queue `<service>.events` with the consumer's delivery limit, its DLQ,
/// and the bindings), on one connection. Run before any service starts (`lawos
/// migrate`, `lawos topology`, each binary's `migrate`), so an event published
/// by an early phase waits in the queue of a consumer of a later phase.
/// Declaring is idempotent; nothing happens without queues.
pub async fn declare_topology(
    amqp_url: &str,
    queues: &[QueueBindings],
) -> Result<(), crate::Error> {
    if queues.is_empty() {
        return Ok(());
    }
    let conn = crate::amqp::connect(amqp_url, "lawos-topology").await?;
    let result = async {
        let channel = conn.create_channel().await?;
        for queue in queues {
            let c = queue.config(amqp_url);
            crate::amqp::declare_consumer_topology(
                &channel,
                &c.exchange,
                &c.service,
                &c.bindings,
                c.max_redeliveries,
            )
            .await?;
            tracing::info!(queue = %crate::queue_name(&c.service), bindings = ?c.bindings, "queue declared");
        }
        Ok::<(), crate::Error>(())
    }
    .await;
    crate::amqp::close(&conn).await;
    result
}
