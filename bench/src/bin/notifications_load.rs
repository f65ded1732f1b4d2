//! `notifications-load`: how long an event takes to reach its recipient's open
//! WebSocket, end to end: publish on `lawos.events` → `notifications.events` →
//! the consumer (recipient, access decided, row written once) → Redis live
//! channel → the socket; beside the raw broker publish→consume round trip at
//! the same rate on the same broker; and `GET /unread-count` for users with many
//! unread notifications. Open loop at a fixed rate; latency from each due
//! instant. See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use lawos_bench::schedule::Schedule;
use lawos_bench::stats::Summary;
use lawos_bench::table::{Row, render};
use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_svc_notifications::NotifyState;
use lawos_testkit::{TestApp, TestUser};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use uuid::Uuid;

const LEAD: Duration = Duration::from_millis(300);
const BASELINE_QUEUE: &str = "bench.notifications.round-trip";
const TITLE: &str = "bench ";

#[derive(Debug, Parser)]
#[command(
    name = "notifications-load",
    about = "Event → WebSocket push latency and GET /unread-count (open loop)"
)]
struct Args {
    /// Events per second, open loop
    #[arg(long, default_value_t = 500)]
    rate: u32,
    /// Measured seconds of each phase
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Warm-up seconds before each measured window (not counted)
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Recipients, each with one open socket; events go to them round robin
    #[arg(long, default_value_t = 50)]
    users: usize,
    /// Unread notifications of each user for the GET /unread-count phase
    #[arg(long, default_value_t = 1000)]
    unread: u32,
    /// GET /unread-count requests per second
    #[arg(long, default_value_t = 200)]
    count_rate: u32,
    /// Seconds to wait after the last event for late pushes
    #[arg(long, default_value_t = 10)]
    drain: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("notifications-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notifications-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(base: &str, token: &str) -> Result<Socket> {
    let url = format!(
        "{}/api/v1/notifications/ws",
        base.replacen("http://", "ws://", 1)
    );
    let mut req = url.into_client_request()?;
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("lawos.bearer, {token}"))?,
    );
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

fn summary(samples: Vec<Duration>) -> Option<Summary> {
    Summary::of(samples)
}

async fn run(args: Args) -> Result<()> {
    if args.rate == 0 || args.duration == 0 || args.users == 0 || args.count_rate == 0 {
        bail!("--rate, --duration, --users and --count-rate must be at least 1");
    }
    let schedule = Schedule {
        rate: args.rate,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration),
    };
    let drain = Duration::from_secs(args.drain);
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned());
    eprintln!(
        "notifications-load: starting rbac + notifications (fresh database, vhost, Redis prefix)"
    );
    let prefix = format!("bench:{}", Uuid::now_v7().simple());
    let mut config = lawos_svc_notifications::config::NotifyConfig::from_env()?;
    config.mail_dir =
        std::env::temp_dir().join(format!("lawos-bench-mail-{}", Uuid::now_v7().simple()));
    lawos_svc_notifications::config::set_for_prefix(&prefix, config);
    let p = prefix.clone();
    let app = TestApp::spawn_with_events_and(
        &[lawos_svc_rbac::SPEC, lawos_svc_notifications::SPEC],
        move |c| {
            c.redis_prefix = p;
            c.http_workers = 2;
        },
    )
    .await;
    lawos_testkit::api::wait_for_queue(&app, "notifications.events").await;
    let env = app
        .envs
        .iter()
        .find(|e| e.name == "notifications")
        .context("no notifications env")?;
    let state = NotifyState::shared(env);
    let live = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        state.live.subscriptions() >= 1
    })
    .await;
    if !live {
        bail!("the live channel did not subscribe");
    }
    let firm = FirmId::new();
    let mut users: Vec<TestUser> = Vec::new();
    for _ in 0..args.users {
        users.push(lawos_testkit::api::assign(&app, firm, "LAWYER").await);
    }
    let amqp_url = app.vhost.as_ref().context("no vhost")?.amqp_url();

    eprintln!("notifications-load: baseline phase, AMQP publish→consume");
    let baseline = amqp_round_trip(&amqp_url, &schedule, drain).await?;
    eprintln!("notifications-load: push phase, event → WebSocket");
    let (push, lost) = push_phase(&app, &amqp_url, firm, &users, &schedule, drain).await?;
    wait_until_consumed(&amqp_url).await?;
    eprintln!(
        "notifications-load: unread-count phase ({} unread each)",
        args.unread
    );
    seed_unread(&app, firm, &users, args.unread).await?;
    let count_schedule = Schedule {
        rate: args.count_rate,
        ..schedule
    };
    let (counts, errors) = count_phase(&app, &users, &count_schedule).await?;

    let base = summary(baseline);
    let rows = vec![
        Row::new(
            format!("AMQP publish→consume @ {}/s (baseline)", args.rate),
            base,
        ),
        Row::new(
            format!("event → WebSocket push @ {}/s", args.rate),
            summary(push),
        ),
        Row::detail(
            format!(
                "GET /unread-count @ {}/s ({} unread)",
                args.count_rate, args.unread
            ),
            summary(counts),
        ),
    ];
    println!("{}", render(base.as_ref(), &rows));
    println!(
        "setup: rbac + notifications in one process as the test kit runs them (2 HTTP workers, {} DB connections per service); \
         {} recipients with one socket each, task.completed events round robin; consumer batches of up to 64 (prefetch 128), one transaction per firm and one Redis pipeline per batch; \
         warm-up {} s not counted; open loop, latency from each due instant; pushes lost: {lost}; unread-count errors: {errors}; \
         load average before: {load_average}",
        app.config.db_pool_size, args.users, args.warmup
    );
    drop(app);
    Ok(())
}

/// A plain publish-with-confirm → consume round trip on a quorum queue of the same broker.
async fn amqp_round_trip(url: &str, schedule: &Schedule, drain: Duration) -> Result<Vec<Duration>> {
    let publisher = Connection::connect(url, ConnectionProperties::default()).await?;
    let subscriber = Connection::connect(url, ConnectionProperties::default()).await?;
    let pub_channel = publisher.create_channel().await?;
    pub_channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let sub_channel = subscriber.create_channel().await?;
    let mut queue_args = FieldTable::default();
    queue_args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    sub_channel
        .queue_declare(
            BASELINE_QUEUE.into(),
            QueueDeclareOptions::durable(),
            queue_args,
        )
        .await?;
    let mut deliveries = sub_channel
        .basic_consume(
            BASELINE_QUEUE.into(),
            "bench".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let total = usize::try_from(schedule.total())?;
    let start = Instant::now() + LEAD;
    let due = schedule.due_instants(start);
    let deadline = start + schedule.offset(schedule.total()) + drain;
    let consumer = tokio::spawn(async move {
        let mut arrived: Vec<Option<Instant>> = vec![None; total];
        let mut got = 0;
        while got < total {
            let Ok(Some(Ok(delivery))) =
                tokio::time::timeout_at(deadline.into(), deliveries.next()).await
            else {
                break;
            };
            let now = Instant::now();
            let index = <[u8; 8]>::try_from(delivery.data.as_slice())
                .ok()
                .and_then(|b| usize::try_from(u64::from_be_bytes(b)).ok());
            if let Some(slot) = index.and_then(|i| arrived.get_mut(i))
                && slot.is_none()
            {
                *slot = Some(now);
                got += 1;
            }
            let _ = delivery.ack(BasicAckOptions::default()).await;
        }
        arrived
    });
    schedule
        .run(start, |i, _| {
            let ch = pub_channel.clone();
            tokio::spawn(async move {
                if let Ok(c) = ch
                    .basic_publish(
                        "".into(),
                        BASELINE_QUEUE.into(),
                        BasicPublishOptions::default(),
                        &i.to_be_bytes(),
                        BasicProperties::default().with_delivery_mode(2),
                    )
                    .await
                {
                    let _ = c.await;
                }
            });
        })
        .await;
    let arrived = consumer.await?;
    let _ = sub_channel
        .queue_delete(BASELINE_QUEUE.into(), QueueDeleteOptions::default())
        .await;
    let _ = publisher.close(200, "done".into()).await;
    let _ = subscriber.close(200, "done".into()).await;
    Ok((0..schedule.total())
        .filter(|i| schedule.is_measured(*i))
        .filter_map(|i| {
            let k = usize::try_from(i).ok()?;
            arrived[k].map(|t| t.saturating_duration_since(due[k]))
        })
        .collect())
}

/// Waits until `notifications.events` holds nothing (the push phase's backlog
/// would otherwise share the database with the next phase).
async fn wait_until_consumed(url: &str) -> Result<()> {
    let conn = Connection::connect(url, ConnectionProperties::default()).await?;
    let started = Instant::now();
    loop {
        let ch = conn.create_channel().await?;
        let q = ch
            .queue_declare(
                "notifications.events".into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        if q.message_count() == 0 || started.elapsed() > Duration::from_secs(300) {
            eprintln!(
                "notifications-load: backlog consumed after {:?}",
                started.elapsed()
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = conn.close(200, "done".into()).await;
    Ok(())
}

fn event(firm: FirmId, user: &TestUser, i: u64) -> EventEnvelope {
    let task = Uuid::now_v7();
    EventEnvelope::builder("task.completed", EntityRef::new("task", task))
        .firm(firm.0)
        .data(json!({
            "taskId": task, "matterId": null, "title": format!("{TITLE}{i}"),
            "completedBy": null, "createdBy": null, "assigneeUserIds": [user.user_id]
        }))
        .build()
}

async fn publish(ch: Channel, event: EventEnvelope) {
    let Ok(body) = serde_json::to_vec(&event) else {
        return;
    };
    if let Ok(c) = ch
        .basic_publish(
            lawos_events::EXCHANGE.into(),
            event.event_type.as_str().into(),
            BasicPublishOptions::default(),
            &body,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
    {
        let _ = c.await;
    }
}

/// Events published at the schedule's rate; each recipient's socket notes when its push arrives.
async fn push_phase(
    app: &TestApp,
    amqp_url: &str,
    firm: FirmId,
    users: &[TestUser],
    schedule: &Schedule,
    drain: Duration,
) -> Result<(Vec<Duration>, u64)> {
    let total = usize::try_from(schedule.total())?;
    let arrived: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; total]));
    let start = Instant::now() + LEAD + Duration::from_secs(1);
    let deadline = start + schedule.offset(schedule.total()) + drain;
    let mut readers = Vec::new();
    for user in users {
        let mut socket = open_socket(&app.base_url, &app.token(user)).await?;
        let arrived = arrived.clone();
        readers.push(tokio::spawn(async move {
            while let Ok(Some(Ok(msg))) =
                tokio::time::timeout_at(deadline.into(), socket.next()).await
            {
                let Message::Text(text) = msg else { continue };
                let now = Instant::now();
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if v["type"] != "notification.created" {
                    continue;
                }
                let index = v["notification"]["data"]["title"]
                    .as_str()
                    .and_then(|t| t.strip_prefix(TITLE))
                    .and_then(|n| n.parse::<usize>().ok());
                if let Some(i) = index {
                    let mut slots = arrived.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(slot) = slots.get_mut(i)
                        && slot.is_none()
                    {
                        *slot = Some(now);
                    }
                }
            }
        }));
    }
    let conn = Connection::connect(amqp_url, ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    ch.confirm_select(ConfirmSelectOptions::default()).await?;
    let due = schedule.due_instants(start);
    schedule
        .run(start, |i, _| {
            let k = usize::try_from(i).unwrap_or_default();
            let e = event(firm, &users[k % users.len()], i);
            tokio::spawn(publish(ch.clone(), e));
        })
        .await;
    for r in readers {
        let _ = r.await;
    }
    let _ = conn.close(200, "done".into()).await;
    let slots = arrived
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut lost = 0;
    let mut latencies = Vec::new();
    for i in 0..schedule.total() {
        if !schedule.is_measured(i) {
            continue;
        }
        let k = usize::try_from(i)?;
        match slots[k] {
            Some(t) => latencies.push(t.saturating_duration_since(due[k])),
            None => lost += 1,
        }
    }
    Ok((latencies, lost))
}

async fn seed_unread(app: &TestApp, firm: FirmId, users: &[TestUser], unread: u32) -> Result<()> {
    use diesel_async::RunQueryDsl;
    let mut conn = lawos_testkit::api::owner_connection(app).await;
    for user in users {
        diesel::sql_query(
            "insert into notifications.notifications \
               (id, firm_id, user_id, type, title, body, resource_type, resource_id, event_id, expires_at) \
             select gen_random_uuid(), $1, $2, 'task.completed', 'seeded', 'seeded', 'TASK', \
                    gen_random_uuid(), gen_random_uuid(), now() + interval '30 days' \
             from generate_series(1, $3)",
        )
        .bind::<diesel::sql_types::Uuid, _>(firm.0)
        .bind::<diesel::sql_types::Uuid, _>(user.user_id.0)
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(unread)?)
        .execute(&mut conn)
        .await?;
    }
    diesel::sql_query("vacuum analyze notifications.notifications")
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// `GET /unread-count` at the schedule's rate, round robin over the users.
async fn count_phase(
    app: &TestApp,
    users: &[TestUser],
    schedule: &Schedule,
) -> Result<(Vec<Duration>, u64)> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(256)
        .build()?;
    let tokens: Vec<String> = users.iter().map(|u| app.token(u)).collect();
    let url = app.url("/api/v1/notifications/unread-count");
    let start = Instant::now() + LEAD;
    let mut calls = Vec::new();
    schedule
        .run(start, |i, due| {
            let k = usize::try_from(i).unwrap_or_default();
            let req = http.get(&url).bearer_auth(&tokens[k % tokens.len()]);
            let measured = schedule.is_measured(i);
            calls.push(tokio::spawn(async move {
                let ok = matches!(req.send().await, Ok(r) if r.status() == 200);
                (measured, ok, due.elapsed())
            }));
        })
        .await;
    let mut latencies = Vec::new();
    let mut errors = 0;
    for c in calls {
        let (measured, ok, took) = c.await?;
        if !ok {
            errors += 1;
        } else if measured {
            latencies.push(took);
        }
    }
    Ok((latencies, errors))
}
