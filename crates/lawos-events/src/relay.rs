//! The outbox relay: publishes a schema's outbox to `lawos.events` in `seq` order,
//! with publisher confirms, marking rows published only after the broker's ack.
//!
//! Delivery is at-least-once: a crash between the ack and the `UPDATE` republishes
//! the batch, which consumers absorb with [`crate::apply_once`]. Order: rows are
//! read by `seq`; rows of one entity get increasing `seq` because the row lock
//! serialises their transactions, so per-entity order holds even though
//! concurrent transactions may commit `seq` out of order across entities. After a
//! connection loss the relay resumes from the first unconfirmed row; what reached
//! the broker is a prefix of what was sent, so consumers see duplicates only of
//! events they already saw, never an older event after a newer one. (A broker
//! *nack* of one message in a batch would break this; the relay then stops at the
//! nack and republishes from it.)
//!
//! Single flight: a session publishes only while holding the session-level
//! advisory lock `pg_try_advisory_lock(hashtext('lawos_outbox_<schema>'))`; other
//! relay replicas for the schema wait as hot standbys. The lock dies with the
//! database session, so a standby takes over after a crash.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::Error;
use crate::amqp;
use crate::backoff::{Backoff, BackoffConfig};
use crate::sql::{check_schema, notify_channel, quote_ident};

/// Settings of one relay (one per service schema).
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// A role that may read and update `<schema>.outbox`.
    pub database_url: String,
    pub amqp_url: String,
    /// The service schema whose outbox is relayed.
    pub schema: String,
    /// Default [`amqp::EXCHANGE`] (`lawos.events`).
    pub exchange: String,
    /// Rows published per round trip (default 100).
    pub batch_size: i64,
    /// Polling fallback when no NOTIFY arrives (default 1 s).
    pub poll_interval: Duration,
    /// Longest wait for a publisher confirm before the session is torn down (default 30 s).
    pub confirm_timeout: Duration,
    pub backoff: BackoffConfig,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            database_url: String::new(),
            amqp_url: String::new(),
            schema: String::new(),
            exchange: amqp::EXCHANGE.to_owned(),
            batch_size: 100,
            poll_interval: Duration::from_secs(1),
            confirm_timeout: Duration::from_secs(30),
            backoff: BackoffConfig::default(),
        }
    }
}

/// Counters since the relay was created; cheap to read, for tests and health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    /// Outbox rows confirmed by the broker and marked published.
    pub published: u64,
    /// Sessions that got the lock and a broker channel.
    pub sessions: u64,
    /// Sessions that ended in an error (and were retried).
    pub failures: u64,
}

#[derive(Debug, Default)]
struct Counters {
    published: AtomicU64,
    sessions: AtomicU64,
    failures: AtomicU64,
}

/// Publishes one schema's outbox. Clone it to keep a handle for [`Relay::stats`]
/// while [`Relay::run`] runs on a task.
#[derive(Debug, Clone)]
pub struct Relay {
    config: Arc<RelayConfig>,
    counters: Arc<Counters>,
}

/// A row read from the outbox.
struct Pending {
    id: String,
    event_type: String,
    payload: String,
}

impl Relay {
    pub fn new(config: RelayConfig) -> Self {
        Self {
            config: Arc::new(config),
            counters: Arc::default(),
        }
    }

    pub fn stats(&self) -> RelayStats {
        RelayStats {
            published: self.counters.published.load(Ordering::Relaxed),
            sessions: self.counters.sessions.load(Ordering::Relaxed),
            failures: self.counters.failures.load(Ordering::Relaxed),
        }
    }

    /// Relays until `shutdown` resolves, reconnecting to the database and the broker
    /// with capped exponential backoff whenever either goes away. Returns `Ok` on
    /// shutdown; `Err` only for an invalid configuration.
    #[tracing::instrument(skip_all, fields(schema = %self.config.schema))]
    pub async fn run<F: Future<Output = ()>>(&self, shutdown: F) -> Result<(), Error> {
        check_schema(&self.config.schema)?;
        let mut shutdown = std::pin::pin!(shutdown);
        let mut backoff = Backoff::new(self.config.backoff);
        loop {
            match self.session(&mut backoff, shutdown.as_mut()).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    self.counters.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "relay session ended; reconnecting");
                }
            }
            tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                () = tokio::time::sleep(backoff.next_delay()) => {}
            }
        }
    }

    /// One database session + one broker connection. `Ok` means shutdown.
    async fn session<F: Future<Output = ()>>(
        &self,
        backoff: &mut Backoff,
        mut shutdown: Pin<&mut F>,
    ) -> Result<(), Error> {
        let cfg = &self.config;
        let (client, mut wake) = connect_db(&cfg.database_url, &cfg.schema).await?;
        let channel_name = notify_channel(&cfg.schema);
        // LISTEN before the first read, so no commit between read and wait is missed.
        client
            .batch_execute(&format!("LISTEN {}", quote_ident(&channel_name)))
            .await?;
        loop {
            let row = client
                .query_one(
                    "select pg_try_advisory_lock(hashtext($1))",
                    &[&channel_name],
                )
                .await?;
            if row.try_get::<_, bool>(0)? {
                break;
            }
            tracing::debug!("another relay holds the outbox lock; standing by");
            tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                () = tokio::time::sleep(cfg.poll_interval) => {}
            }
        }
        let conn = amqp::connect(&cfg.amqp_url, &format!("lawos-relay/{}", cfg.schema)).await?;
        let result = async {
            let channel = conn.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            amqp::declare_exchange(&channel, &cfg.exchange).await?;
            self.counters.sessions.fetch_add(1, Ordering::Relaxed);
            backoff.reset();
            tracing::info!("relay session up");
            self.pump(&client, &mut wake, &conn, &channel, shutdown)
                .await
        }
        .await;
        amqp::close(&conn).await;
        result
    }

    /// Publishes until the outbox is drained, then waits for NOTIFY or the poll tick.
    async fn pump<F: Future<Output = ()>>(
        &self,
        client: &Client,
        wake: &mut mpsc::Receiver<()>,
        conn: &Connection,
        channel: &Channel,
        mut shutdown: Pin<&mut F>,
    ) -> Result<(), Error> {
        let cfg = &self.config;
        loop {
            if !conn.status().connected() {
                return Err(Error::BrokerGone);
            }
            let n = self.publish_batch(client, channel).await?;
            if n >= cfg.batch_size {
                continue;
            }
            tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                woke = wake.recv() => if woke.is_none() { return Err(Error::DatabaseGone) },
                () = tokio::time::sleep(cfg.poll_interval) => {}
            }
        }
    }

    /// Publishes the next batch in `seq` order, awaits every confirm in order and
    /// marks the confirmed prefix published. Returns the number of rows read.
    #[tracing::instrument(skip_all, fields(schema = %self.config.schema))]
    async fn publish_batch(&self, client: &Client, channel: &Channel) -> Result<i64, Error> {
        let cfg = &self.config;
        let schema = quote_ident(&cfg.schema);
        let rows = client
            .query(
                &format!(
                    "select id::text, event_type, payload::text from {schema}.outbox \
                     where published_at is null order by seq limit $1"
                ),
                &[&cfg.batch_size],
            )
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let mut pending = Vec::with_capacity(rows.len());
        for row in &rows {
            pending.push(Pending {
                id: row.try_get(0)?,
                event_type: row.try_get(1)?,
                payload: row.try_get(2)?,
            });
        }
        let mut confirms = Vec::with_capacity(pending.len());
        let mut send_error = None;
        for p in &pending {
            let props = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/json".into())
                .with_message_id(p.id.as_str().into())
                .with_type(p.event_type.as_str().into());
            match channel
                .basic_publish(
                    cfg.exchange.as_str().into(),
                    p.event_type.as_str().into(),
                    BasicPublishOptions::default(),
                    p.payload.as_bytes(),
                    props,
                )
                .await
            {
                Ok(confirm) => confirms.push(confirm),
                Err(e) => {
                    send_error = Some(Error::from(e));
                    break;
                }
            }
        }
        let mut confirmed: Vec<String> = Vec::with_capacity(confirms.len());
        let mut confirm_error = None;
        for (p, confirm) in pending.iter().zip(confirms) {
            match tokio::time::timeout(cfg.confirm_timeout, confirm).await {
                Ok(Ok(c)) if c.is_ack() => confirmed.push(p.id.clone()),
                Ok(Ok(_)) | Err(_) => {
                    confirm_error = Some(Error::NotConfirmed(p.id.parse().unwrap_or_default()));
                    break;
                }
                Ok(Err(e)) => {
                    confirm_error = Some(Error::from(e));
                    break;
                }
            }
        }
        if !confirmed.is_empty() {
            client
                .execute(
                    &format!(
                        "update {schema}.outbox set published_at = now() \
                         where id = any($1::text[]::uuid[])"
                    ),
                    &[&confirmed],
                )
                .await?;
            let n = u64::try_from(confirmed.len()).unwrap_or(u64::MAX);
            self.counters.published.fetch_add(n, Ordering::Relaxed);
            tracing::debug!(published = n, "outbox batch confirmed");
        }
        match confirm_error.or(send_error) {
            Some(e) => Err(e),
            None => Ok(read),
        }
    }
}

/// Connects the relay's own database session (visible as `lawos-relay/<schema>` in
/// `pg_stat_activity`) and forwards NOTIFYs, coalesced, to the returned receiver.
/// The receiver closes when the session dies.
async fn connect_db(url: &str, schema: &str) -> Result<(Client, mpsc::Receiver<()>), Error> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| Error::Config(e.to_string()))?;
    config.application_name(format!("lawos-relay/{schema}"));
    config.connect_timeout(Duration::from_secs(10));
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    // Full means a wake-up is already pending: coalesce.
                    let _ = tx.try_send(());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "relay database connection failed");
                    break;
                }
            }
        }
    });
    Ok((client, rx))
}
