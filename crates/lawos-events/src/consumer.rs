//! The event consumer: one durable quorum queue per service, handled one message
//! at a time, acked after the handler succeeded.
//!
//! * Handler `Ok` → ack. Handler `Err` → nack with requeue; the quorum queue counts
//!   deliveries and dead-letters the message to `<service>.events.dlq` once it
//!   exceeds `max_redeliveries` (`x-delivery-limit`). Connection losses count as
//!   deliveries too (RabbitMQ 3.10+ quorum queues).
//! * A body that does not decode as an [`EventEnvelope`] is nacked without requeue:
//!   straight to the DLQ.
//! * Delivery is at-least-once; make effects idempotent with [`crate::apply_once`].
//! * Batches: with `batch > 1`, the messages already delivered (up to `batch`,
//!   never waiting for more) go to [`EventHandler::handle_batch`] at once and are
//!   acked together; if the batch fails, each message is handled alone, so one
//!   failing message is retried (and dead-lettered) on its own.
//! * Order: messages are handled sequentially in delivery order. With
//!   `prefetch = 1` a failed message is redelivered before the next one, so
//!   per-entity order is preserved (except for what was dead-lettered). With a
//!   larger prefetch, messages already buffered overtake a requeued one. Run one
//!   consumer instance per queue (or accept cross-instance interleaving) when order
//!   matters.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;

use crate::amqp;
use crate::backoff::{Backoff, BackoffConfig};
use crate::{Error, EventEnvelope};

/// What a service does with an event. Implemented for async closures
/// `Fn(EventEnvelope) -> impl Future<Output = anyhow::Result<()>>`.
pub trait EventHandler: Send + Sync + 'static {
    fn handle(&self, event: EventEnvelope) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Several events in delivery order (with [`ConsumerConfig::batch`] > 1).
    /// The default handles them one by one; a handler that can apply a batch in
    /// fewer transactions overrides it. On `Err` the consumer handles each event
    /// of the batch alone, so effects must be idempotent (as with any
    /// at-least-once delivery: [`crate::apply_once`]).
    fn handle_batch(
        &self,
        events: Vec<EventEnvelope>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        async move {
            for event in events {
                self.handle(event).await?;
            }
            Ok(())
        }
    }
}

impl<F, Fut> EventHandler for F
where
    F: Fn(EventEnvelope) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    fn handle(&self, event: EventEnvelope) -> impl Future<Output = anyhow::Result<()>> + Send {
        self(event)
    }
}

/// Settings of one service's consumer.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    pub amqp_url: String,
    /// Names the queue `<service>.events` and its DLQ.
    pub service: String,
    /// Topic patterns bound on the exchange, e.g. `firm.*`, `matter.created`, `#`.
    pub bindings: Vec<String>,
    /// Deliveries after the first before dead-lettering (`x-delivery-limit`; default 5).
    pub max_redeliveries: u32,
    /// Unacked messages the broker may push ahead (default 1: keeps per-entity order).
    pub prefetch: u16,
    /// Most events handed to [`EventHandler::handle_batch`] at once (default 1:
    /// one at a time). The broker may push `max(prefetch, batch)` ahead.
    pub batch: u16,
    /// Default [`amqp::EXCHANGE`] (`lawos.events`).
    pub exchange: String,
    pub backoff: BackoffConfig,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        Self {
            amqp_url: String::new(),
            service: String::new(),
            bindings: Vec::new(),
            max_redeliveries: 5,
            prefetch: 1,
            batch: 1,
            exchange: amqp::EXCHANGE.to_owned(),
            backoff: BackoffConfig::default(),
        }
    }
}

/// Counters since the consumer was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsumerStats {
    /// Messages whose handler succeeded (acked).
    pub acked: u64,
    /// Handler failures (nacked with requeue).
    pub retried: u64,
    /// Undecodable messages sent straight to the DLQ.
    pub rejected: u64,
    /// Sessions that declared the topology and started consuming.
    pub sessions: u64,
    /// Sessions that ended in an error (and were retried).
    pub failures: u64,
}

#[derive(Debug, Default)]
struct Counters {
    acked: AtomicU64,
    retried: AtomicU64,
    rejected: AtomicU64,
    sessions: AtomicU64,
    failures: AtomicU64,
}

/// Consumes `<service>.events` with `handler`. Clone it to keep a handle for
/// [`Consumer::stats`] while [`Consumer::run`] runs on a task.
pub struct Consumer<H> {
    config: Arc<ConsumerConfig>,
    handler: Arc<H>,
    counters: Arc<Counters>,
}

impl<H> Clone for Consumer<H> {
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
            handler: self.handler.clone(),
            counters: self.counters.clone(),
        }
    }
}

impl<H> std::fmt::Debug for Consumer<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<H: EventHandler> Consumer<H> {
    pub fn new(config: ConsumerConfig, handler: H) -> Self {
        Self {
            config: Arc::new(config),
            handler: Arc::new(handler),
            counters: Arc::default(),
        }
    }

    pub fn stats(&self) -> ConsumerStats {
        let c = &self.counters;
        ConsumerStats {
            acked: c.acked.load(Ordering::Relaxed),
            retried: c.retried.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            sessions: c.sessions.load(Ordering::Relaxed),
            failures: c.failures.load(Ordering::Relaxed),
        }
    }

    /// Consumes until `shutdown` resolves, reconnecting with capped exponential
    /// backoff whenever the broker goes away. A message being handled when
    /// `shutdown` resolves is finished (and acked) first. Returns `Ok` on shutdown;
    /// `Err` only for an invalid configuration.
    #[tracing::instrument(skip_all, fields(service = %self.config.service))]
    pub async fn run<F: Future<Output = ()>>(&self, shutdown: F) -> Result<(), Error> {
        if self.config.service.is_empty() || self.config.prefetch == 0 {
            return Err(Error::Config(
                "consumer needs a service name and prefetch >= 1".into(),
            ));
        }
        let mut shutdown = std::pin::pin!(shutdown);
        let mut backoff = Backoff::new(self.config.backoff);
        loop {
            match self.session(&mut backoff, shutdown.as_mut()).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    self.counters.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "consumer session ended; reconnecting");
                }
            }
            tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                () = tokio::time::sleep(backoff.next_delay()) => {}
            }
        }
    }

    /// One broker connection: declare, consume, handle. `Ok` means shutdown.
    async fn session<F: Future<Output = ()>>(
        &self,
        backoff: &mut Backoff,
        mut shutdown: Pin<&mut F>,
    ) -> Result<(), Error> {
        let cfg = &self.config;
        let conn = amqp::connect(&cfg.amqp_url, &format!("lawos-consumer/{}", cfg.service)).await?;
        let result = async {
            let channel = conn.create_channel().await?;
            amqp::declare_consumer_topology(
                &channel,
                &cfg.exchange,
                &cfg.service,
                &cfg.bindings,
                cfg.max_redeliveries,
            )
            .await?;
            channel
                .basic_qos(cfg.prefetch.max(cfg.batch), BasicQosOptions::default())
                .await?;
            let mut deliveries = channel
                .basic_consume(
                    amqp::queue_name(&cfg.service).into(),
                    format!("lawos-consumer/{}", cfg.service).into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            self.counters.sessions.fetch_add(1, Ordering::Relaxed);
            backoff.reset();
            tracing::info!("consumer session up");
            loop {
                let next = tokio::select! {
                    () = shutdown.as_mut() => return Ok(()),
                    next = deliveries.next() => next,
                };
                match next {
                    Some(Ok(delivery)) if cfg.batch > 1 => {
                        let (batch, end) = gather(delivery, &mut deliveries, cfg.batch);
                        self.handle_batch(batch).await?;
                        if let Some(end) = end {
                            return Err(end);
                        }
                    }
                    Some(Ok(delivery)) => self.handle(delivery).await?,
                    Some(Err(e)) => return Err(Error::from(e)),
                    None => return Err(Error::BrokerGone),
                }
            }
        }
        .await;
        amqp::close(&conn).await;
        result
    }

    /// Decodes `delivery`; an undecodable one goes straight to the DLQ (`None`).
    async fn decode(&self, delivery: &Delivery) -> Result<Option<EventEnvelope>, Error> {
        match EventEnvelope::from_slice(&delivery.data) {
            Ok(envelope) => Ok(Some(envelope)),
            Err(e) => {
                tracing::error!(error = %e, "undecodable event; dead-lettering");
                delivery
                    .nack(BasicNackOptions {
                        requeue: false,
                        ..Default::default()
                    })
                    .await?;
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                Ok(None)
            }
        }
    }

    /// Decodes, runs the handler, and settles the delivery.
    #[tracing::instrument(skip_all, fields(routing_key = %delivery.routing_key, redelivered = delivery.redelivered))]
    async fn handle(&self, delivery: Delivery) -> Result<(), Error> {
        match self.decode(&delivery).await? {
            Some(envelope) => self.settle(delivery, envelope).await,
            None => Ok(()),
        }
    }

    /// Runs the batch handler on the decodable deliveries and acks them together;
    /// if it fails, handles each alone.
    #[tracing::instrument(skip_all, fields(size = deliveries.len()))]
    async fn handle_batch(&self, deliveries: Vec<Delivery>) -> Result<(), Error> {
        let mut decoded = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            if let Some(envelope) = self.decode(&delivery).await? {
                decoded.push((delivery, envelope));
            }
        }
        let Some((last, _)) = decoded.last() else {
            return Ok(());
        };
        let events = decoded.iter().map(|(_, e)| e.clone()).collect();
        match self.handler.handle_batch(events).await {
            Ok(()) => {
                last.ack(BasicAckOptions { multiple: true }).await?;
                let n = u64::try_from(decoded.len()).unwrap_or(u64::MAX);
                self.counters.acked.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, size = decoded.len(), "batch failed; handling each event alone");
                for (delivery, envelope) in decoded {
                    self.settle(delivery, envelope).await?;
                }
                Ok(())
            }
        }
    }

    /// Runs the handler on one event and acks, or nacks it for redelivery.
    async fn settle(&self, delivery: Delivery, envelope: EventEnvelope) -> Result<(), Error> {
        let event_id = envelope.id;
        match self.handler.handle(envelope).await {
            Ok(()) => {
                delivery.ack(BasicAckOptions::default()).await?;
                self.counters.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                tracing::warn!(error = %e, %event_id, "event handler failed; requeueing");
                delivery
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..Default::default()
                    })
                    .await?;
                self.counters.retried.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

/// `first` and the deliveries already buffered behind it, up to `max`, without
/// waiting; and the end of the stream if it was reached meanwhile.
fn gather(
    first: Delivery,
    deliveries: &mut lapin::Consumer,
    max: u16,
) -> (Vec<Delivery>, Option<Error>) {
    let mut batch = vec![first];
    while batch.len() < usize::from(max) {
        match deliveries.next().now_or_never() {
            Some(Some(Ok(delivery))) => batch.push(delivery),
            Some(Some(Err(e))) => return (batch, Some(Error::from(e))),
            Some(None) => return (batch, Some(Error::BrokerGone)),
            None => break,
        }
    }
    (batch, None)
}
