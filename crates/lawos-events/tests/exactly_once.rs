//! End to end against real PostgreSQL and RabbitMQ: 1,000 trigger-written events
//! cross relay → broker → consumer while the broker connections of both are
//! force-closed mid-stream and the relay's database session is killed. Every event
//! is applied exactly once, in order per entity, and the outbox ends drained.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Integer, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use lawos_events::{
    BackoffConfig, Consumer, ConsumerConfig, EventEnvelope, Relay, RelayConfig, apply_once,
    install_sql, unpublished_count,
};
use scoped_futures::ScopedFutureExt;
use uuid::Uuid;

const ENTITIES: usize = 20;
const VERSIONS: i32 = 50; // 1 insert + 49 updates (the last a soft delete for every other entity)
const TOTAL: i64 = (ENTITIES as i64) * (VERSIONS as i64);

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

/// Writes every version of `entities` as its own tenant transaction, paced so the
/// stream lasts (~18 s) while connections are being killed (rabbitmqctl takes ~1 s a call).
async fn write_entities(url: String, firm: Uuid, entities: Vec<Uuid>) {
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let user = Uuid::now_v7();
    for n in 0..VERSIONS {
        for (i, id) in entities.iter().enumerate() {
            let change = if n == 0 {
                format!(
                    "insert into producer.widgets (id, firm_id, n) values ('{id}', '{firm}', 0)"
                )
            } else if n == VERSIONS - 1 && i % 2 == 0 {
                format!("update producer.widgets set n = {n}, deleted_at = now() where id = '{id}'")
            } else {
                format!("update producer.widgets set n = {n} where id = '{id}'")
            };
            conn.batch_execute(&format!(
                "begin; select set_config('app.firm_id', '{firm}', true), \
                 set_config('app.user_id', '{user}', true); {change}; commit;"
            ))
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(70)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_events_exactly_once_in_order_through_broker_and_db_failures() {
    support::init_tracing();
    let db = support::TestDb::create().await;
    let vhost = support::TestVhost::create().await;
    let started = Instant::now();
    tokio::time::timeout(support::TEST_TIMEOUT, run(&db, &vhost))
        .await
        .expect("test timed out");
    eprintln!("exactly_once: {:?}", started.elapsed());
}

async fn run(db: &support::TestDb, vhost: &support::TestVhost) {
    db.execute(&format!(
        "{}{}
         create table producer.widgets (id uuid primary key, firm_id uuid not null, n int not null,
                                        deleted_at timestamptz);
         select producer.lawos_emit_events('producer.widgets', 'widget');
         create table audit.applied (applied_seq bigserial primary key, event_id uuid not null,
                                     event_type text not null, entity_id uuid not null, n int not null);",
        install_sql("producer"),
        install_sql("audit")
    ))
    .await;
    let fast = BackoffConfig {
        initial: Duration::from_millis(50),
        max: Duration::from_secs(1),
    };

    // Consumer: the effect is guarded by the inbox; nothing else dedupes.
    let pool = db.pool(4);
    let consumer = Consumer::new(
        ConsumerConfig {
            amqp_url: vhost.amqp_url(),
            service: "audit".into(),
            bindings: vec!["widget.*".into()],
            max_redeliveries: 50,
            prefetch: 1,
            backoff: fast,
            ..Default::default()
        },
        move |env: EventEnvelope| {
            let pool = pool.clone();
            async move {
                let mut conn = pool.get().await?;
                apply_once(&mut conn, "audit", "audit", env.id, |c| {
                    async move {
                        diesel::sql_query(
                            "insert into audit.applied (event_id, event_type, entity_id, n) \
                             values ($1, $2, $3, $4)",
                        )
                        .bind::<SqlUuid, _>(env.id)
                        .bind::<Text, _>(&env.event_type)
                        .bind::<SqlUuid, _>(env.entity.id)
                        .bind::<Integer, _>(env.data["n"].as_i64().unwrap_or(-1) as i32)
                        .execute(c)
                        .await?;
                        Ok::<_, anyhow::Error>(())
                    }
                    .scope_boxed()
                })
                .await?;
                Ok(())
            }
        },
    );
    let relay = Relay::new(RelayConfig {
        database_url: db.url.clone(),
        amqp_url: vhost.amqp_url(),
        schema: "producer".into(),
        poll_interval: Duration::from_millis(500),
        batch_size: 50,
        backoff: fast,
        ..Default::default()
    });

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let consumer_task = tokio::spawn({
        let c = consumer.clone();
        let s = stopped(stop_rx.clone());
        async move { c.run(s).await }
    });
    // The queue must exist before anything is published.
    assert!(
        support::eventually(Duration::from_secs(20), || async {
            consumer.stats().sessions >= 1
        })
        .await
    );
    let relay_task = tokio::spawn({
        let r = relay.clone();
        let s = stopped(stop_rx.clone());
        async move { r.run(s).await }
    });

    let firm = Uuid::now_v7();
    let ids: Vec<Uuid> = (0..ENTITIES).map(|_| Uuid::now_v7()).collect();
    let writers: Vec<_> = ids
        .chunks(ENTITIES / 4)
        .map(|chunk| tokio::spawn(write_entities(db.url.clone(), firm, chunk.to_vec())))
        .collect();

    // Mid-stream failures: broker connections of relay and consumer, then also the
    // relay's database session.
    let mut conn = db.conn().await;
    let applied = "select count(*) as n from audit.applied";
    for (threshold, kill_db) in [(100, false), (350, true), (600, false)] {
        let reached = support::eventually(Duration::from_secs(60), || {
            let url = db.url.clone();
            async move {
                let mut c = AsyncPgConnection::establish(&url).await.unwrap();
                count(&mut c, applied).await >= threshold
            }
        })
        .await;
        assert!(reached, "stalled before {threshold} applied events");
        let killed = if kill_db {
            db.terminate_relay_sessions("producer").await
        } else {
            0
        };
        let closed = vhost.close_connections("lawos-").await;
        let now = count(&mut conn, applied).await;
        eprintln!(
            "at {now} applied: closed {closed} broker connections, killed {killed} db sessions"
        );
        assert!(now < TOTAL, "failure injected too late to be mid-stream");
        assert_eq!(
            closed, 2,
            "relay and consumer connections should both have been up"
        );
        if kill_db {
            assert_eq!(
                killed, 1,
                "the relay's database session should have been up"
            );
        }
    }
    for w in writers {
        w.await.unwrap();
    }

    let done = support::eventually(Duration::from_secs(60), || {
        let url = db.url.clone();
        async move {
            let mut c = AsyncPgConnection::establish(&url).await.unwrap();
            count(&mut c, applied).await >= TOTAL
                && unpublished_count(&mut c, "producer").await.unwrap() == 0
        }
    })
    .await;
    assert!(done, "not every event was applied and published in time");
    // Let any straggling redelivery arrive before checking for doubles.
    tokio::time::sleep(Duration::from_secs(1)).await;

    assert_eq!(
        count(&mut conn, "select count(*) as n from producer.outbox").await,
        TOTAL
    );
    assert_eq!(unpublished_count(&mut conn, "producer").await.unwrap(), 0);
    assert_eq!(
        count(&mut conn, applied).await,
        TOTAL,
        "an event was applied twice"
    );
    assert_eq!(
        count(
            &mut conn,
            "select count(distinct event_id) as n from audit.applied"
        )
        .await,
        TOTAL
    );
    assert_eq!(
        count(
            &mut conn,
            "select count(*) as n from audit.applied a join producer.outbox o on o.id = a.event_id"
        )
        .await,
        TOTAL,
        "applied events are exactly the outbox's"
    );
    // Per entity, versions were applied as 0, 1, …, 49.
    assert_eq!(
        count(
            &mut conn,
            "select count(*) as n from (
               select entity_id, array_agg(n order by applied_seq) as ns from audit.applied group by entity_id
             ) e where ns <> array(select generate_series(0, 49))"
        )
        .await,
        0,
        "an entity's events were applied out of order"
    );
    assert_eq!(
        count(
            &mut conn,
            "select count(distinct entity_id) as n from audit.applied"
        )
        .await,
        ENTITIES as i64
    );
    assert_eq!(
        count(
            &mut conn,
            "select count(*) as n from audit.applied where event_type = 'widget.created'"
        )
        .await,
        20
    );
    assert_eq!(
        count(
            &mut conn,
            "select count(*) as n from audit.applied where event_type = 'widget.deleted'"
        )
        .await,
        12,
        "3 of each writer's 5 entities are soft-deleted"
    );

    let (rs, cs) = (relay.stats(), consumer.stats());
    eprintln!("relay {rs:?}\nconsumer {cs:?}");
    assert!(
        rs.sessions >= 3 && rs.failures >= 2,
        "relay did not reconnect: {rs:?}"
    );
    assert!(
        cs.sessions >= 3 && cs.failures >= 2,
        "consumer did not reconnect: {cs:?}"
    );
    assert!(rs.published >= TOTAL as u64);
    assert!(cs.acked >= TOTAL as u64);

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
