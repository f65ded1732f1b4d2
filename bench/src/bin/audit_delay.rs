//! `audit-delay`: how long a committed change in the tenants service takes to be
//! visible in the firm's audit trail, end to end: `PATCH /api/v1/tenants/{id}` →
//! outbox trigger → relay → RabbitMQ → events consumer → `events.event_log` →
//! `GET /api/v1/tenants/{id}/events` (tenants asking the events service).
//!
//! Open loop at a fixed rate; every figure is measured from the request's due
//! instant. Baselines from the same run: the PATCH round trip itself, and a plain
//! publish-with-confirm → consume round trip on the same broker (its own phase).
//! See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use lawos_bench::schedule::Schedule;
use lawos_bench::stats::Summary;
use lawos_bench::table::{Row, render};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use serde_json::{Value, json};

/// Every PATCH sets the firm's name to this plus the request's index; the event's
/// `envelope.data.name` says which request caused it.
const NAME_PREFIX: &str = "bench ";
/// Events per page the pollers read (newest first; older pages only when needed).
const PAGE_LIMIT: u32 = 10;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Time between setting up a phase and its first due instant.
const LEAD: Duration = Duration::from_millis(200);
const BASELINE_QUEUE: &str = "bench.round-trip";

#[derive(Debug, Parser)]
#[command(
    name = "audit-delay",
    about = "End-to-end audit delay of the events service (open loop)"
)]
struct Args {
    /// firm.updated events (PATCH requests) per second, open loop
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Measured seconds of each phase
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Warm-up seconds before each measured window (not counted)
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Firms the PATCH requests go to, round robin; one poller per firm
    #[arg(long, default_value_t = 2)]
    firms: usize,
    /// Pause between two polls of one firm's events page, in milliseconds
    #[arg(long, default_value_t = 5)]
    poll_ms: u64,
    /// Longest wait after the last request for what is still in flight, in seconds
    #[arg(long, default_value_t = 60)]
    drain: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("audit-delay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    if args.rate == 0 || args.duration == 0 || args.firms == 0 {
        bail!("--rate, --duration and --firms must be at least 1");
    }
    let schedule = Schedule {
        rate: args.rate,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration),
    };
    let drain = Duration::from_secs(args.drain);
    // The machine may be shared: say how busy it was.
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned());
    eprintln!("audit-delay: starting tenants + events (fresh database and RabbitMQ vhost)");
    let app = TestApp::spawn_with_events(&[lawos_svc_tenants::SPEC, lawos_svc_events::SPEC]).await;
    let amqp_url = app
        .vhost
        .as_ref()
        .context("the test app has no RabbitMQ vhost")?
        .amqp_url();
    wait_for_consumer_queue(&amqp_url).await?;
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("HTTP client")?;
    let firms = create_firms(&app, &http, args.firms).await?;

    eprintln!("audit-delay: baseline phase, AMQP publish→consume");
    let amqp = amqp_round_trip(&amqp_url, &schedule, drain).await?;
    eprintln!("audit-delay: audit phase, PATCH → visible in the firm's events");
    let audit = audit_phase(&app, &http, &firms, &schedule, &args).await?;
    let published = published_at(&app.db.admin_url()).await?;

    let report = Report::new(&schedule, &amqp, &audit, &published);
    let setup = format!(
        "setup: tenants + events in one process as the test kit runs them (1 HTTP worker, \
         {} DB connections per service); {} firm(s) round robin, one poller per firm \
         (page of {PAGE_LIMIT}, {} ms pause); warm-up {} s not counted; open loop, \
         latency from each request's due instant; load average before: {load_average}",
        app.config.db_pool_size, args.firms, args.poll_ms, args.warmup
    );
    report.print(&args, &schedule, &amqp, &audit, &setup);
    drop(app);
    Ok(report.passed(&schedule, &amqp, &audit))
}

/// Events published to the exchange before the events consumer has bound its
/// queue are routed nowhere: wait for the queue (as the integration tests do).
async fn wait_for_consumer_queue(amqp_url: &str) -> Result<()> {
    let conn = Connection::connect(amqp_url, ConnectionProperties::default())
        .await
        .context("connecting to RabbitMQ")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // A failed passive declare closes the channel: a new one each time.
        let channel = conn.create_channel().await.context("AMQP channel")?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..Default::default()
        };
        if channel
            .queue_declare("events.events".into(), passive, FieldTable::default())
            .await
            .is_ok()
        {
            break;
        }
        if Instant::now() > deadline {
            bail!("the events consumer did not declare its queue within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = conn.close(200, "ready".into()).await;
    Ok(())
}

async fn create_firms(app: &TestApp, http: &reqwest::Client, n: usize) -> Result<Vec<FirmId>> {
    let token = app.token(&TestUser::system_admin());
    let mut firms = Vec::with_capacity(n);
    for k in 0..n {
        let slug = format!("bench-{k}");
        let res = http
            .post(app.url("/api/v1/tenants/"))
            .bearer_auth(&token)
            .json(&json!({
                "name": format!("Firm {slug}"),
                "slug": slug,
                "contactEmail": format!("admin@{slug}.example"),
                "billingPlan": "enterprise",
            }))
            .send()
            .await
            .context("creating a firm")?;
        let status = res.status();
        let body: Value = res.json().await.context("creating a firm: body")?;
        if status != 201 {
            bail!("creating firm {slug}: {status} {body}");
        }
        let id = body["id"].as_str().context("created firm has no id")?;
        firms.push(id.parse().context("created firm id")?);
    }
    Ok(firms)
}

/// What the baseline phase measured.
struct AmqpPhase {
    latencies: Vec<Duration>,
    /// Measured messages not confirmed or not consumed.
    lost: u64,
}

/// Publishes `schedule`'s messages (each with a confirm) to a quorum queue and
/// consumes them on another connection, acking one at a time like the events
/// consumer; latency is due instant → delivery.
async fn amqp_round_trip(url: &str, schedule: &Schedule, drain: Duration) -> Result<AmqpPhase> {
    let props = ConnectionProperties::default;
    let publisher = Connection::connect(url, props().with_connection_name("bench-pub".into()))
        .await
        .context("AMQP publisher connection")?;
    let subscriber = Connection::connect(url, props().with_connection_name("bench-sub".into()))
        .await
        .context("AMQP consumer connection")?;
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
        .await
        .context("declaring the baseline queue")?;
    sub_channel.basic_qos(1, BasicQosOptions::default()).await?;
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
            let next = tokio::time::timeout_at(deadline.into(), deliveries.next()).await;
            let Ok(Some(Ok(delivery))) = next else { break };
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
            delivery.ack(BasicAckOptions::default()).await?;
        }
        Ok::<_, lapin::Error>(arrived)
    });
    let mut publishes = Vec::with_capacity(total);
    schedule
        .run(start, |i, _due| {
            let channel = pub_channel.clone();
            publishes.push(tokio::spawn(async move {
                let confirm = channel
                    .basic_publish(
                        "".into(),
                        BASELINE_QUEUE.into(),
                        BasicPublishOptions::default(),
                        &i.to_be_bytes(),
                        BasicProperties::default().with_delivery_mode(2),
                    )
                    .await?;
                Ok::<_, lapin::Error>(confirm.await?.is_ack())
            }));
        })
        .await;
    let mut confirmed = vec![false; total];
    for (i, publish) in publishes.into_iter().enumerate() {
        confirmed[i] = matches!(publish.await, Ok(Ok(true)));
    }
    let arrived = consumer
        .await
        .context("AMQP consumer task")?
        .context("consuming")?;
    let mut latencies = Vec::new();
    let mut lost = 0;
    for i in 0..schedule.total() {
        let k = usize::try_from(i)?;
        if !schedule.is_measured(i) {
            continue;
        }
        match arrived[k] {
            Some(t) if confirmed[k] => latencies.push(t.saturating_duration_since(due[k])),
            _ => lost += 1,
        }
    }
    let _ = sub_channel
        .queue_delete(BASELINE_QUEUE.into(), QueueDeleteOptions::default())
        .await;
    let _ = publisher.close(200, "done".into()).await;
    let _ = subscriber.close(200, "done".into()).await;
    Ok(AmqpPhase { latencies, lost })
}

/// The first poll that showed request `i`'s event.
#[derive(Debug, Clone)]
struct Sighting {
    /// When the response that showed it arrived (upper bound of visibility).
    seen: Instant,
    /// When the previous successful poll of the firm was sent, which did not show
    /// it (a lower bound of visibility).
    lower: Instant,
    event_id: String,
    occurred_at: Option<DateTime<Utc>>,
    received_at: Option<DateTime<Utc>>,
}

type Sightings = Arc<Mutex<Vec<Option<Sighting>>>>;

#[derive(Debug, Default)]
struct PollStats {
    round_trips: Vec<Duration>,
    cycles: Vec<Duration>,
    polls: u64,
    errors: u64,
}

impl PollStats {
    fn merge(&mut self, other: Self) {
        self.round_trips.extend(other.round_trips);
        self.cycles.extend(other.cycles);
        self.polls += other.polls;
        self.errors += other.errors;
    }
}

/// What the audit phase measured, per request index.
struct AuditPhase {
    due: Vec<Instant>,
    /// When the PATCH answered 200; `None` for a failed request.
    answered: Vec<Option<Instant>>,
    sightings: Vec<Option<Sighting>>,
    patch_errors: u64,
    polls: PollStats,
    /// An instant and the wall clock at that instant, to compare due instants
    /// with the servers' timestamps.
    epoch: (Instant, DateTime<Utc>),
}

async fn audit_phase(
    app: &TestApp,
    http: &reqwest::Client,
    firms: &[FirmId],
    schedule: &Schedule,
    args: &Args,
) -> Result<AuditPhase> {
    let total = usize::try_from(schedule.total())?;
    let sightings: Sightings = Arc::new(Mutex::new(vec![None; total]));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now() + LEAD;
    let measure_from = start + schedule.offset(schedule.warmup_count());
    let epoch = (Instant::now(), Utc::now());
    let pollers: Vec<_> = firms
        .iter()
        .map(|firm| {
            let poller = Poller {
                http: http.clone(),
                url: app.url(&format!("/api/v1/tenants/{firm}/events")),
                token: app.token(&TestUser::member(*firm, "FIRM_ADMIN")),
                sightings: sightings.clone(),
                pause: Duration::from_millis(args.poll_ms),
                measure_from,
                stop: stop.clone(),
            };
            tokio::spawn(poller.run())
        })
        .collect();

    let token = app.token(&TestUser::system_admin());
    let mut patches = Vec::with_capacity(total);
    schedule
        .run(start, |i, _due| {
            let firm = firms[usize::try_from(i).unwrap_or_default() % firms.len()];
            let request = http
                .patch(app.url(&format!("/api/v1/tenants/{firm}")))
                .bearer_auth(&token)
                .json(&json!({ "name": format!("{NAME_PREFIX}{i}") }));
            patches.push(tokio::spawn(async move {
                let res = request.send().await?;
                let status = res.status();
                res.bytes().await?;
                if status != 200 {
                    bail!("PATCH answered {status}");
                }
                Ok(Instant::now())
            }));
        })
        .await;
    let mut answered = Vec::with_capacity(total);
    let mut patch_errors = 0;
    let mut first_error = None;
    for (i, patch) in patches.into_iter().enumerate() {
        let result = patch.await.map_err(anyhow::Error::from).and_then(|r| r);
        if let Err(e) = &result
            && schedule.is_measured(u64::try_from(i)?)
        {
            patch_errors += 1;
            first_error.get_or_insert_with(|| format!("{e:#}"));
        }
        answered.push(result.ok());
    }
    if let Some(e) = first_error {
        eprintln!("audit-delay: {patch_errors} PATCH errors, the first: {e}");
    }

    // Wait (bounded) for the events of every successful request.
    let deadline = Instant::now() + Duration::from_secs(args.drain);
    while Instant::now() < deadline {
        let waiting = {
            let seen = sightings.lock().unwrap_or_else(PoisonError::into_inner);
            answered
                .iter()
                .zip(seen.iter())
                .filter(|(a, s)| a.is_some() && s.is_none())
                .count()
        };
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut polls = PollStats::default();
    for poller in pollers {
        polls.merge(poller.await.context("poller task")?);
    }
    let sightings = sightings
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok(AuditPhase {
        due: schedule.due_instants(start),
        answered,
        sightings,
        patch_errors,
        polls,
        epoch,
    })
}

/// Reads one firm's newest events page until stopped, recording the first
/// sighting of every benchmark event.
struct Poller {
    http: reqwest::Client,
    url: String,
    token: String,
    sightings: Sightings,
    pause: Duration,
    /// Poll timings count from here (the end of the warm-up).
    measure_from: Instant,
    stop: Arc<AtomicBool>,
}

impl Poller {
    async fn run(self) -> PollStats {
        let mut stats = PollStats::default();
        // Highest `seq` seen of this firm: older pages are read only while a page
        // holds nothing but newer events.
        let mut newest_seq = 0;
        let mut previous: Option<Instant> = None;
        while !self.stop.load(Ordering::Relaxed) {
            let sent = Instant::now();
            let lower = previous.unwrap_or(sent);
            let mut cursor: Option<String> = None;
            let mut page_newest = None;
            let ok = loop {
                let t0 = Instant::now();
                let page = self.page(cursor.as_deref()).await;
                let t1 = Instant::now();
                stats.polls += 1;
                if t0 >= self.measure_from {
                    stats.round_trips.push(t1 - t0);
                }
                let Ok(page) = page else {
                    stats.errors += 1;
                    break false;
                };
                let entries = page["data"].as_array().map(Vec::as_slice).unwrap_or(&[]);
                let seqs = entries.iter().filter_map(|e| e["seq"].as_i64());
                let oldest = seqs.clone().min().unwrap_or(0);
                page_newest = page_newest.or(seqs.max());
                self.record(entries, t1, lower);
                match page["pagination"]["nextCursor"].as_str() {
                    Some(next) if oldest > newest_seq => cursor = Some(next.to_owned()),
                    _ => break true,
                }
            };
            if ok {
                newest_seq = newest_seq.max(page_newest.unwrap_or(0));
                if let Some(p) = previous
                    && sent >= self.measure_from
                {
                    stats.cycles.push(sent - p);
                }
                previous = Some(sent);
            }
            tokio::time::sleep(self.pause).await;
        }
        stats
    }

    async fn page(&self, cursor: Option<&str>) -> Result<Value> {
        let mut request = self
            .http
            .get(&self.url)
            .bearer_auth(&self.token)
            .query(&[("limit", PAGE_LIMIT.to_string())]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let res = request.send().await?;
        let status = res.status();
        if status != 200 {
            bail!("GET events answered {status}");
        }
        Ok(res.json().await?)
    }

    fn record(&self, entries: &[Value], seen: Instant, lower: Instant) {
        let mut sightings = self
            .sightings
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for entry in entries {
            let index = entry["envelope"]["data"]["name"]
                .as_str()
                .and_then(|n| n.strip_prefix(NAME_PREFIX))
                .and_then(|n| n.parse::<usize>().ok());
            let Some(slot) = index.and_then(|i| sightings.get_mut(i)) else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(Sighting {
                    seen,
                    lower,
                    event_id: entry["id"].as_str().unwrap_or_default().to_owned(),
                    occurred_at: timestamp(&entry["occurredAt"]),
                    received_at: timestamp(&entry["receivedAt"]),
                });
            }
        }
    }
}

fn timestamp(v: &Value) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
    Some(t.with_timezone(&Utc))
}

/// When the relay marked each tenants outbox row published (after the broker's
/// confirm), by event id: read once at the end, as the superuser.
async fn published_at(admin_url: &str) -> Result<HashMap<String, DateTime<Utc>>> {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .context("connecting to the test database")?;
    let connection = tokio::spawn(connection);
    let rows = client
        .query(
            "select id::text, (extract(epoch from published_at) * 1000000)::int8 \
             from tenants.outbox where published_at is not null",
            &[],
        )
        .await
        .context("reading tenants.outbox")?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let micros: i64 = row.try_get(1)?;
        if let Some(t) = DateTime::from_timestamp_micros(micros) {
            out.insert(row.try_get(0)?, t);
        }
    }
    drop(client);
    let _ = connection.await;
    Ok(out)
}

/// The table's rows and the verdict.
struct Report {
    baseline: Option<Summary>,
    rows: Vec<Row>,
    /// Measured requests that succeeded but whose event was never seen.
    missing: u64,
    /// How fast the events consumer recorded the measured events.
    consumer_rate: Option<f64>,
}

/// Events per second over the span of `times` (`None` for fewer than two).
fn events_per_second(times: &[DateTime<Utc>]) -> Option<f64> {
    let (first, last) = (times.iter().min()?, times.iter().max()?);
    let span = (*last - *first).to_std().ok()?.as_secs_f64();
    (span > 0.0).then(|| (times.len() - 1) as f64 / span)
}

impl Report {
    fn new(
        schedule: &Schedule,
        amqp: &AmqpPhase,
        audit: &AuditPhase,
        published: &HashMap<String, DateTime<Utc>>,
    ) -> Self {
        let (epoch, wall_epoch) = audit.epoch;
        let mut patch = Vec::new();
        let mut upper = Vec::new();
        let mut lower = Vec::new();
        let mut occurred = Vec::new();
        let mut confirmed = Vec::new();
        let mut received = Vec::new();
        let mut uncertainty = Vec::new();
        let mut received_at = Vec::new();
        let mut missing = 0;
        for (i, due) in audit.due.iter().enumerate() {
            if !schedule.is_measured(i as u64) {
                continue;
            }
            let Some(answered) = audit.answered[i] else {
                continue;
            };
            patch.push(answered.saturating_duration_since(*due));
            let Some(s) = &audit.sightings[i] else {
                missing += 1;
                continue;
            };
            // The due instant on the wall clock, to compare with server timestamps.
            let due_wall = TimeDelta::from_std(due.saturating_duration_since(epoch))
                .map(|d| wall_epoch + d)
                .unwrap_or(wall_epoch);
            let since_due = |t: DateTime<Utc>| (t - due_wall).to_std().unwrap_or_default();
            let seen = s.seen.saturating_duration_since(*due);
            // Not visible before the previous poll (which did not list it) was sent,
            // nor before the consumer stamped `receivedAt` (its commit follows).
            let not_before = s
                .lower
                .saturating_duration_since(*due)
                .max(s.received_at.map(since_due).unwrap_or_default())
                .min(seen);
            upper.push(seen);
            lower.push(not_before);
            uncertainty.push(seen - not_before);
            received_at.extend(s.received_at);
            occurred.extend(s.occurred_at.map(since_due));
            confirmed.extend(published.get(&s.event_id).copied().map(since_due));
            received.extend(s.received_at.map(since_due));
        }
        let baseline = Summary::of(amqp.latencies.clone());
        let rows = vec![
            Row::new("baseline: AMQP publish→consume", baseline),
            Row::new("baseline: PATCH round trip", Summary::of(patch)),
            Row::new("audit delay (first GET that shows it)", Summary::of(upper)),
            Row::new("audit delay, lower bound", Summary::of(lower)),
            Row::detail("  due → trigger ran (occurredAt)", Summary::of(occurred)),
            Row::detail(
                "  due → relay got confirm (published_at)",
                Summary::of(confirmed),
            ),
            Row::detail(
                "  due → consumer appends (receivedAt)",
                Summary::of(received),
            ),
            Row::detail(
                "poll: GET …/events round trip",
                Summary::of(audit.polls.round_trips.clone()),
            ),
            Row::detail(
                "poll: cycle per firm (GET + pause)",
                Summary::of(audit.polls.cycles.clone()),
            ),
            Row::detail(
                "poll: uncertainty (delay − lower bound)",
                Summary::of(uncertainty),
            ),
        ];
        Self {
            baseline,
            rows,
            missing,
            consumer_rate: events_per_second(&received_at),
        }
    }

    fn print(
        &self,
        args: &Args,
        schedule: &Schedule,
        amqp: &AmqpPhase,
        audit: &AuditPhase,
        setup: &str,
    ) {
        println!(
            "audit delay, tenants PATCH → visible in GET /api/v1/tenants/{{id}}/events, \
             {} ev/s for {} s (N={}, errors {}, missing {})",
            args.rate,
            args.duration,
            schedule.measured_count(),
            audit.patch_errors,
            self.missing
        );
        println!("{setup}");
        println!(
            "ratios vs baseline: AMQP publish→consume (same broker, quorum queue, persistent, \
             publisher confirms, prefetch 1; its own phase of this run, same rate and \
             duration; lost {} of {})",
            amqp.lost,
            schedule.measured_count()
        );
        print!("{}", render(self.baseline.as_ref(), &self.rows));
        println!(
            "visibility is sampled: each event became visible between the \"lower bound\" and \
             the \"audit delay\" rows (poll uncertainty); GET errors {} of {} polls",
            audit.polls.errors, audit.polls.polls
        );
        if let Some(rate) = self.consumer_rate {
            let verdict = if rate < 0.97 * f64::from(args.rate) {
                "BELOW the offered rate: the consumer queue grows during the run, so the \
                 delay grows with --duration"
            } else {
                "keeps up with the offered rate"
            };
            println!(
                "events consumer: recorded the measured events at {rate:.0} ev/s \
                 (offered {} ev/s): {verdict}",
                args.rate
            );
        }
    }

    /// At most 1% failed requests (PATCH, GET polls, baseline messages) and no event missing.
    fn passed(&self, schedule: &Schedule, amqp: &AmqpPhase, audit: &AuditPhase) -> bool {
        let n = schedule.measured_count();
        let over_1pct = |bad: u64, of: u64| bad * 100 > of;
        let mut ok = true;
        let mut fail = |why: String| {
            eprintln!("audit-delay: FAILED: {why}");
            ok = false;
        };
        if over_1pct(audit.patch_errors, n) {
            fail(format!(
                "{} of {n} PATCH requests failed",
                audit.patch_errors
            ));
        }
        if self.missing > 0 {
            fail(format!(
                "{} of {n} events never became visible",
                self.missing
            ));
        }
        if over_1pct(audit.polls.errors, audit.polls.polls) {
            let (e, p) = (audit.polls.errors, audit.polls.polls);
            fail(format!("{e} of {p} GET polls failed"));
        }
        if over_1pct(amqp.lost, n) {
            fail(format!("{} of {n} baseline messages lost", amqp.lost));
        }
        ok
    }
}
