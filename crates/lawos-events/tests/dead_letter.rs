//! Bounded redelivery and the DLQ against a real RabbitMQ: an event whose handler
//! always fails is delivered `1 + max_redeliveries` times and then sits in
//! `<service>.events.dlq`; an undecodable message goes there without reaching the handler.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel_async::AsyncConnection;
use lapin::options::{BasicGetOptions, BasicPublishOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use lawos_events::{
    BackoffConfig, Consumer, ConsumerConfig, EXCHANGE, EntityRef, EventEnvelope, Relay,
    RelayConfig, dead_letter_queue_name, enqueue, install_sql,
};
use uuid::Uuid;

const MAX_REDELIVERIES: u32 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_handler_dead_letters_after_bounded_redeliveries() {
    support::init_tracing();
    let db = support::TestDb::create().await;
    let vhost = support::TestVhost::create().await;
    let started = Instant::now();
    tokio::time::timeout(support::TEST_TIMEOUT, run(&db, &vhost))
        .await
        .expect("test timed out");
    eprintln!("dead_letter: {:?}", started.elapsed());
}

async fn run(db: &support::TestDb, vhost: &support::TestVhost) {
    db.execute(&install_sql("producer")).await;
    let fast = BackoffConfig {
        initial: Duration::from_millis(50),
        max: Duration::from_secs(1),
    };
    let attempts = Arc::new(AtomicU32::new(0));
    let consumer = Consumer::new(
        ConsumerConfig {
            amqp_url: vhost.amqp_url(),
            service: "grumpy".into(),
            bindings: vec!["matter.#".into()],
            max_redeliveries: MAX_REDELIVERIES,
            prefetch: 1,
            backoff: fast,
            ..Default::default()
        },
        {
            let attempts = attempts.clone();
            move |_env: EventEnvelope| {
                attempts.fetch_add(1, Ordering::SeqCst);
                async { Err(anyhow::anyhow!("handler always fails")) }
            }
        },
    );
    let relay = Relay::new(RelayConfig {
        database_url: db.url.clone(),
        amqp_url: vhost.amqp_url(),
        schema: "producer".into(),
        backoff: fast,
        ..Default::default()
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let consumer_task = tokio::spawn({
        let (c, s) = (consumer.clone(), stopped(stop_rx.clone()));
        async move { c.run(s).await }
    });
    assert!(
        support::eventually(Duration::from_secs(20), || async {
            consumer.stats().sessions >= 1
        })
        .await
    );
    let relay_task = tokio::spawn({
        let (r, s) = (relay.clone(), stopped(stop_rx.clone()));
        async move { r.run(s).await }
    });

    // A business event through the outbox and relay.
    let env = EventEnvelope::builder(
        "matter.stage_changed",
        EntityRef::new("matter", Uuid::now_v7()),
    )
    .firm(Uuid::now_v7())
    .data(serde_json::json!({"to": "closed"}))
    .build();
    let mut conn = db.conn().await;
    conn.transaction(async |c| enqueue(c, "producer", &env).await)
        .await
        .unwrap();
    drop(conn);

    // Poison: not an envelope; published straight to the exchange.
    let amqp = Connection::connect(&vhost.amqp_url(), ConnectionProperties::default())
        .await
        .unwrap();
    let ch = amqp.create_channel().await.unwrap();
    ch.basic_publish(
        EXCHANGE.into(),
        "matter.garbage".into(),
        BasicPublishOptions::default(),
        b"{not json",
        BasicProperties::default(),
    )
    .await
    .unwrap();

    let dlq = dead_letter_queue_name("grumpy");
    let mut dead: Vec<Vec<u8>> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while dead.len() < 2 && Instant::now() < deadline {
        match ch
            .basic_get(dlq.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()
        {
            Some(msg) => dead.push(msg.delivery.data.clone()),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(dead.len(), 2, "both messages should be dead-lettered");
    assert!(
        dead.iter().any(|d| d.as_slice() == b"{not json"),
        "undecodable message in the DLQ"
    );
    let dead_event = dead
        .iter()
        .find_map(|d| EventEnvelope::from_slice(d).ok())
        .expect("the failing event is in the DLQ");
    assert_eq!(dead_event, env);
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        1 + MAX_REDELIVERIES,
        "delivered once plus the bounded redeliveries, then dead-lettered"
    );
    let stats = consumer.stats();
    assert_eq!(
        (stats.rejected, stats.acked, stats.retried),
        (1, 0, 1 + u64::from(MAX_REDELIVERIES))
    );
    // Nothing left behind in the work queue.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1 + MAX_REDELIVERIES);

    amqp.close(200, "done".into()).await.unwrap();
    stop_tx.send(true).unwrap();
    let bounded = Duration::from_secs(10);
    tokio::time::timeout(bounded, relay_task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    tokio::time::timeout(bounded, consumer_task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
