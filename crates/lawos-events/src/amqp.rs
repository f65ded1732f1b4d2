//! Broker plumbing shared by relay and consumer: named connections (so operators
//! can find them with `rabbitmqctl list_connections name`) and topology.
//!
//! Recovery is ours, not lapin's: auto-recovery stays off, and a session that
//! loses its connection ends; the caller builds a new connection and channel.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};

/// The platform's topic exchange; routing key = event type.
pub const EXCHANGE: &str = "lawos.events";
/// Dead-letter exchange for every consumer queue.
pub const DEAD_LETTER_EXCHANGE: &str = "lawos.events.dlx";

/// `<service>.events`
pub fn queue_name(service: &str) -> String {
    format!("{service}.events")
}

/// `<service>.events.dlq`
pub fn dead_letter_queue_name(service: &str) -> String {
    format!("{service}.events.dlq")
}

/// Opens a connection named `name`, without lapin's auto-recovery.
pub(crate) async fn connect(url: &str, name: &str) -> Result<Connection, lapin::Error> {
    let props = ConnectionProperties::default().with_connection_name(name.into());
    Connection::connect(url, props).await
}

/// Closes `conn` politely, bounded in time; errors are irrelevant at this point.
pub(crate) async fn close(conn: &Connection) {
    if conn.status().connected() {
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            conn.close(200, "session ended".into()),
        )
        .await;
    }
}

/// Declares the durable topic exchange events are published to.
pub async fn declare_exchange(channel: &Channel, exchange: &str) -> Result<(), lapin::Error> {
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
}

/// Declares a consumer's topology: the events exchange, the DLX, the durable quorum
/// queue `<service>.events` (bounded redelivery via `x-delivery-limit`, dead letters
/// routed to the DLX with routing key `<service>.events`, so each service's dead
/// letters land only in its own DLQ), `<service>.events.dlq`, and the bindings.
///
/// Queue arguments are fixed at first declaration: changing `max_redeliveries`
/// later needs a policy or a new queue (the broker refuses a redeclare).
pub async fn declare_consumer_topology(
    channel: &Channel,
    exchange: &str,
    service: &str,
    bindings: &[String],
    max_redeliveries: u32,
) -> Result<(), lapin::Error> {
    let queue = queue_name(service);
    let dlq = dead_letter_queue_name(service);
    declare_exchange(channel, exchange).await?;
    channel
        .exchange_declare(
            DEAD_LETTER_EXCHANGE.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    let mut dlq_args = FieldTable::default();
    dlq_args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    channel
        .queue_declare(
            dlq.as_str().into(),
            QueueDeclareOptions::durable(),
            dlq_args,
        )
        .await?;
    channel
        .queue_bind(
            dlq.as_str().into(),
            DEAD_LETTER_EXCHANGE.into(),
            queue.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args.insert(
        "x-delivery-limit".into(),
        AMQPValue::LongInt(i32::try_from(max_redeliveries).unwrap_or(i32::MAX)),
    );
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(DEAD_LETTER_EXCHANGE.into()),
    );
    args.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(queue.as_str().into()),
    );
    channel
        .queue_declare(queue.as_str().into(), QueueDeclareOptions::durable(), args)
        .await?;
    for key in bindings {
        channel
            .queue_bind(
                queue.as_str().into(),
                exchange.into(),
                key.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
