//! A broadcast subscription: every instance of a service receives every matching
//! event, for effects local to a process (dropping an in-process cache), unlike
//! [`crate::Consumer`], whose durable queue hands each event to one instance.
//!
//! Each session declares an exclusive, auto-deleted queue named
//! `<service>.broadcast.<uuid>`, bound to the patterns, and auto-acks. Events sent
//! while no session is up are not kept: `on_session` runs at the start of every
//! session (the first one and each reconnect), so the subscriber can discard
//! whatever it may have missed. Reconnects with capped exponential backoff.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;

use crate::amqp;
use crate::backoff::{Backoff, BackoffConfig};
use crate::{Error, EventEnvelope};

/// What a broadcast subscriber does.
pub trait BroadcastHandler: Send + Sync + 'static {
    /// A session started: events may have been missed since the last one.
    fn on_session(&self) -> impl Future<Output = ()> + Send;
    /// One matching event (at most once per session).
    fn on_event(&self, event: EventEnvelope) -> impl Future<Output = ()> + Send;
}

/// Settings of a broadcast subscription.
#[derive(Debug, Clone)]
pub struct BroadcastConfig {
    pub amqp_url: String,
    /// Names the queue `<service>.broadcast.<uuid>`.
    pub service: String,
    /// Topic patterns bound on the exchange, e.g. `permission.changed`.
    pub bindings: Vec<String>,
    pub exchange: String,
    pub backoff: BackoffConfig,
}

impl BroadcastConfig {
    pub fn new(amqp_url: impl Into<String>, service: impl Into<String>, bindings: &[&str]) -> Self {
        Self {
            amqp_url: amqp_url.into(),
            service: service.into(),
            bindings: bindings.iter().map(|b| (*b).to_owned()).collect(),
            exchange: amqp::EXCHANGE.to_owned(),
            backoff: BackoffConfig::default(),
        }
    }
}

/// Runs a broadcast subscription with `handler`.
pub struct Broadcast<H> {
    config: Arc<BroadcastConfig>,
    handler: Arc<H>,
}

impl<H: BroadcastHandler> Broadcast<H> {
    pub fn new(config: BroadcastConfig, handler: Arc<H>) -> Self {
        Self {
            config: Arc::new(config),
            handler,
        }
    }

    /// Subscribes until `shutdown` resolves, reconnecting after every loss.
    #[tracing::instrument(skip_all, fields(service = %self.config.service))]
    pub async fn run<F: Future<Output = ()>>(&self, shutdown: F) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut backoff = Backoff::new(self.config.backoff);
        loop {
            match self.session(&mut backoff, shutdown.as_mut()).await {
                Ok(()) => return,
                Err(e) => tracing::warn!(error = %e, "broadcast session ended; reconnecting"),
            }
            tokio::select! {
                () = shutdown.as_mut() => return,
                () = tokio::time::sleep(backoff.next_delay()) => {}
            }
        }
    }

    async fn session<F: Future<Output = ()>>(
        &self,
        backoff: &mut Backoff,
        mut shutdown: Pin<&mut F>,
    ) -> Result<(), Error> {
        let cfg = &self.config;
        let name = format!(
            "{}.broadcast.{}",
            cfg.service,
            uuid::Uuid::now_v7().simple()
        );
        let conn =
            amqp::connect(&cfg.amqp_url, &format!("lawos-broadcast/{}", cfg.service)).await?;
        let result = async {
            let channel = conn.create_channel().await?;
            amqp::declare_exchange(&channel, &cfg.exchange).await?;
            channel
                .queue_declare(
                    name.as_str().into(),
                    QueueDeclareOptions {
                        exclusive: true,
                        auto_delete: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await?;
            for key in &cfg.bindings {
                channel
                    .queue_bind(
                        name.as_str().into(),
                        cfg.exchange.as_str().into(),
                        key.as_str().into(),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await?;
            }
            let mut deliveries = channel
                .basic_consume(
                    name.as_str().into(),
                    name.as_str().into(),
                    BasicConsumeOptions {
                        no_ack: true,
                        ..BasicConsumeOptions::default()
                    },
                    FieldTable::default(),
                )
                .await?;
            // Bound and consuming before anything missed is discarded.
            self.handler.on_session().await;
            backoff.reset();
            tracing::info!(queue = %name, "broadcast session up");
            loop {
                let next = tokio::select! {
                    () = shutdown.as_mut() => return Ok(()),
                    next = deliveries.next() => next,
                };
                match next {
                    Some(Ok(delivery)) => match EventEnvelope::from_slice(&delivery.data) {
                        Ok(event) => self.handler.on_event(event).await,
                        Err(e) => tracing::warn!(error = %e, "undecodable broadcast event ignored"),
                    },
                    Some(Err(e)) => return Err(Error::from(e)),
                    None => return Err(Error::BrokerGone),
                }
            }
        }
        .await;
        amqp::close(&conn).await;
        result
    }
}
