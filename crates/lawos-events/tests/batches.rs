//! Batched consumption against a real RabbitMQ: what the broker has already
//! delivered goes to `handle_batch` together and is acked together; a batch
//! holding a message that always fails falls back to one-by-one handling, so
//! only that message is retried and dead-lettered and every other one is
//! applied exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lapin::options::{BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use lawos_events::{
    BackoffConfig, Consumer, ConsumerConfig, EXCHANGE, EntityRef, EventEnvelope, EventHandler,
    dead_letter_queue_name, declare_consumer_topology,
};
use uuid::Uuid;

const EVENTS: usize = 300;
const MAX_REDELIVERIES: u32 = 2;

#[derive(Default)]
struct Log {
    applied: Vec<Uuid>,
    batch_sizes: Vec<usize>,
    poison_attempts: u32,
}

struct Picky {
    poison: Uuid,
    log: Arc<Mutex<Log>>,
}

impl EventHandler for Picky {
    async fn handle(&self, event: EventEnvelope) -> anyhow::Result<()> {
        let mut log = self.log.lock().unwrap();
        if event.id == self.poison {
            log.poison_attempts += 1;
            anyhow::bail!("poison");
        }
        log.applied.push(event.id);
        Ok(())
    }

    async fn handle_batch(&self, events: Vec<EventEnvelope>) -> anyhow::Result<()> {
        let mut log = self.log.lock().unwrap();
        log.batch_sizes.push(events.len());
        if events.iter().any(|e| e.id == self.poison) {
            anyhow::bail!("a poison event in the batch");
        }
        log.applied.extend(events.iter().map(|e| e.id));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_applied_together_and_a_poison_message_alone_is_dead_lettered() {
    support::init_tracing();
    let vhost = support::TestVhost::create().await;
    tokio::time::timeout(support::TEST_TIMEOUT, run(&vhost))
        .await
        .expect("test timed out");
}

async fn run(vhost: &support::TestVhost) {
    let config = ConsumerConfig {
        amqp_url: vhost.amqp_url(),
        service: "batcher".into(),
        bindings: vec!["matter.#".into()],
        max_redeliveries: MAX_REDELIVERIES,
        batch: 32,
        backoff: BackoffConfig {
            initial: Duration::from_millis(50),
            max: Duration::from_secs(1),
        },
        ..Default::default()
    };
    // The queue exists and fills before the consumer starts, so batches form.
    let amqp = Connection::connect(&vhost.amqp_url(), ConnectionProperties::default())
        .await
        .unwrap();
    let ch = amqp.create_channel().await.unwrap();
    declare_consumer_topology(&ch, EXCHANGE, "batcher", &config.bindings, MAX_REDELIVERIES)
        .await
        .unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let events: Vec<EventEnvelope> = (0..EVENTS)
        .map(|i| {
            EventEnvelope::builder("matter.updated", EntityRef::new("matter", Uuid::now_v7()))
                .firm(Uuid::now_v7())
                .data(serde_json::json!({ "i": i }))
                .build()
        })
        .collect();
    let poison = events[EVENTS / 2].id;
    for event in &events {
        ch.basic_publish(
            EXCHANGE.into(),
            event.event_type.as_str().into(),
            BasicPublishOptions::default(),
            &serde_json::to_vec(event).unwrap(),
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }

    let log = Arc::new(Mutex::new(Log::default()));
    let consumer = Consumer::new(
        config,
        Picky {
            poison,
            log: log.clone(),
        },
    );
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn({
        let consumer = consumer.clone();
        async move {
            consumer
                .run(async move {
                    let _ = stop_rx.wait_for(|s| *s).await;
                })
                .await
        }
    });

    let dlq = dead_letter_queue_name("batcher");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut dead = None;
    while dead.is_none() && Instant::now() < deadline {
        match ch
            .basic_get(dlq.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()
        {
            Some(msg) => dead = Some(EventEnvelope::from_slice(&msg.delivery.data).unwrap()),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(
        dead.map(|e| e.id),
        Some(poison),
        "the poison event is dead-lettered"
    );
    assert!(
        support::eventually(Duration::from_secs(10), || async {
            log.lock().unwrap().applied.len() >= EVENTS - 1
        })
        .await
    );

    {
        let log = log.lock().unwrap();
        let applied: HashSet<Uuid> = log.applied.iter().copied().collect();
        assert_eq!(
            log.applied.len(),
            EVENTS - 1,
            "each good event applied exactly once"
        );
        assert_eq!(applied.len(), EVENTS - 1);
        assert!(!applied.contains(&poison));
        assert!(
            log.batch_sizes.iter().any(|&n| n > 1),
            "buffered deliveries are handled as batches: {:?}",
            log.batch_sizes
        );
        assert!(log.batch_sizes.iter().all(|&n| n <= 32));
        assert_eq!(log.poison_attempts, 1 + MAX_REDELIVERIES);
    }
    assert_eq!(consumer.stats().acked, (EVENTS - 1) as u64);

    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    amqp.close(200, "done".into()).await.unwrap();
}
