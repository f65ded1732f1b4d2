//! `tasks-load`: the tasks service's two hot reads against pgbench running the
//! same SQL. A firm of `--tasks` tasks (default 1,000,000), every one assigned
//! to one of 100 people, `--mine` (default 10,000) of them to the measured
//! lawyer; `--appointments` (default 100,000) single appointments of 200 people
//! over a year, each with an occurrence row and two attendees. Seeded with SQL
//! as the database owner (triggers off). Then, one client, closed loop:
//!
//! - `GET /api/v1/tasks/mine` (first page, 20): one range of
//!   `task_assignments_mine_idx` plus the page's assignees;
//! - `POST /api/v1/tasks/appointments/` at a time the lawyer is busy: the clash
//!   check (one GiST overlap query) finds the other appointment, 409, rolled back;
//!
//! and pgbench (`-M prepared`, one client, as `lawos_tasks` so RLS applies) on
//! the same statements. Aim: p99 ≤ 25 ms. The tables go to stdout, progress to stderr.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use lawos_bench::pgbench::LogSamples;
use lawos_bench::stats::Summary;
use lawos_bench::table::{self, Row};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use serde_json::json;
use tokio::process::Command;

#[derive(Debug, Parser)]
#[command(
    name = "tasks-load",
    about = "GET /api/v1/tasks/mine and the clash check, with pgbench as the baseline"
)]
struct Args {
    /// Tasks in the firm
    #[arg(long, default_value_t = 1_000_000)]
    tasks: u64,
    /// Of which assigned to the measured lawyer
    #[arg(long, default_value_t = 10_000)]
    mine: u64,
    /// Appointments in the firm
    #[arg(long, default_value_t = 100_000)]
    appointments: u64,
    /// Requests per API row (after 100 not counted)
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Seconds of each pgbench row
    #[arg(long, default_value_t = 10)]
    pgbench_seconds: u64,
    /// The pgbench binary (default: on PATH, else /usr/lib/postgresql/*/bin)
    #[arg(long)]
    pgbench: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("tasks-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!("tasks-load: {}", msg.as_ref());
}

fn find_pgbench(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("pgbench"))
            .find(|p| p.is_file())
    });
    if let Some(p) = on_path {
        return Ok(p);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin/pgbench");
            bin.is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, p)| p)
        .context("pgbench not found: install the PostgreSQL client, or pass --pgbench")
}

async fn seed(admin_url: &str, firm: FirmId, lawyer: &TestUser, args: &Args) -> Result<()> {
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .context("owner connection")?;
    let me = lawyer.user_id;
    let (tasks, mine, appts) = (args.tasks, args.mine, args.appointments);
    let sql = format!(
        r#"
SET session_replication_role = replica;
INSERT INTO tasks.tasks (id, firm_id, matter_id, title, priority, status, due_at, due_time_zone, created_by, created_at, updated_at)
SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, '{firm}',
       ('00000000-0000-7000-a000-' || lpad(to_hex(g % 1000), 12, '0'))::uuid, 'Task ' || g, 'NORMAL',
       CASE WHEN g % 10 = 0 THEN 'DONE' ELSE 'OPEN' END,
       now() + ((g % 400) - 100) * interval '1 day' + (g % 1440) * interval '1 minute', 'UTC', '{me}', now(), now()
FROM generate_series(1, {tasks}) g;
INSERT INTO tasks.task_assignments (id, firm_id, task_id, user_id, matter_id, due_at, open)
SELECT gen_random_uuid(), firm_id, id,
       CASE WHEN n <= {mine} THEN '{me}'::uuid ELSE ('00000000-0000-7000-9000-' || lpad(to_hex(1 + n % 99), 12, '0'))::uuid END,
       matter_id, due_at, status IN ('OPEN', 'IN_PROGRESS')
FROM (SELECT t.*, row_number() OVER (ORDER BY id) AS n FROM tasks.tasks t WHERE firm_id = '{firm}') x;
INSERT INTO tasks.appointments (id, firm_id, organizer_user_id, title, appointment_type, starts_at, ends_at, time_zone, materialized_until, reminder_minutes)
SELECT ('00000000-0000-7000-b000-' || lpad(to_hex(g), 12, '0'))::uuid, '{firm}',
       CASE WHEN g % 200 = 0 THEN '{me}'::uuid ELSE ('00000000-0000-7000-9000-' || lpad(to_hex(g % 200), 12, '0'))::uuid END,
       'Appointment ' || g, 'MEETING', date_trunc('hour', now()) + interval '1 day' + g * interval '5 minutes',
       date_trunc('hour', now()) + interval '1 day' + g * interval '5 minutes' + interval '30 minutes', 'UTC', now() + interval '548 days', '{{}}'
FROM generate_series(1, {appts}) g;
INSERT INTO tasks.appointment_attendees (id, firm_id, appointment_id, kind, user_id, organizer, response)
SELECT gen_random_uuid(), firm_id, id, 'USER', organizer_user_id, true, 'ACCEPTED' FROM tasks.appointments WHERE firm_id = '{firm}'
UNION ALL
SELECT gen_random_uuid(), a.firm_id, a.id, 'USER',
       CASE WHEN (x.g + 1) % 200 = 0 THEN '{me}'::uuid ELSE ('00000000-0000-7000-9000-' || lpad(to_hex((x.g + 1) % 200), 12, '0'))::uuid END,
       false, 'NEEDS_ACTION'
FROM tasks.appointments a JOIN LATERAL (SELECT ('x' || right(a.id::text, 12))::bit(48)::bigint AS g) x ON true WHERE a.firm_id = '{firm}';
INSERT INTO tasks.appointment_occurrences (firm_id, appointment_id, occurrence_starts_at, during)
SELECT firm_id, id, starts_at, tstzrange(starts_at, ends_at, '[)') FROM tasks.appointments WHERE firm_id = '{firm}';
SET session_replication_role = origin;
ANALYZE tasks.tasks; ANALYZE tasks.task_assignments; ANALYZE tasks.appointments;
ANALYZE tasks.appointment_attendees; ANALYZE tasks.appointment_occurrences;
"#
    );
    conn.batch_execute(&sql).await.context("seeding")?;
    Ok(())
}

/// Closed loop, one client: `requests` timed sends after 100 untimed ones.
async fn timed<F, Fut>(requests: usize, mut send: F) -> Result<Summary>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    for _ in 0..100 {
        send().await?;
    }
    let mut samples = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        send().await?;
        samples.push(t.elapsed());
    }
    Summary::of(samples).context("no samples")
}

fn tx(firm: FirmId, user: &TestUser, body: &str) -> String {
    format!(
        "BEGIN;\nSELECT set_config('app.firm_id', '{firm}', true), set_config('app.user_id', '{}', true);\n{body}\nCOMMIT;\n",
        user.user_id
    )
}

async fn pgbench(
    bin: &Path,
    app: &TestApp,
    work: &Path,
    name: &str,
    script: String,
    seconds: u64,
) -> Result<Summary> {
    let path = work.join(format!("{name}.sql"));
    std::fs::write(&path, script)?;
    let url = url::Url::parse(&app.db.admin_url())?;
    let prefix = work.join(format!("log-{name}"));
    let mut cmd = Command::new(bin);
    cmd.env("PGPASSWORD", lawos_db::testdb::DEV_APP_PASSWORD)
        .arg("-h")
        .arg(url.host_str().unwrap_or("127.0.0.1"))
        .arg("-p")
        .arg(url.port().unwrap_or(5432).to_string())
        .arg("-U")
        .arg(lawos_db::ServiceRoles::for_service("tasks").runtime)
        .args(["-n", "-M", "prepared", "-c", "1", "-j", "1", "-T"])
        .arg(seconds.to_string())
        .arg("-l")
        .arg(format!("--log-prefix={}", prefix.display()))
        .arg("-f")
        .arg(&path)
        .arg(url.path().trim_start_matches('/'))
        .current_dir(work)
        .kill_on_drop(true)
        .stdin(Stdio::null());
    let out = tokio::time::timeout(Duration::from_secs(seconds + 60), cmd.output())
        .await
        .context("pgbench overran")??;
    if !out.status.success() {
        bail!(
            "pgbench: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut samples = LogSamples::default();
    for entry in std::fs::read_dir(work)? {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("log-{name}"))
        {
            samples.add(&std::fs::read_to_string(entry.path())?);
        }
    }
    if samples.failed > 0 {
        bail!("pgbench {name}: {} failed transactions", samples.failed);
    }
    Summary::of(samples.latencies).context("pgbench logged nothing")
}

async fn run(args: Args) -> Result<bool> {
    let pgbench_bin = find_pgbench(args.pgbench.clone())?;
    let app = TestApp::spawn_with(&[lawos_svc_rbac::SPEC, lawos_svc_tasks::SPEC], |c| {
        c.http_workers = 2;
        c.db_pool_size = 8;
    })
    .await;
    let firm = FirmId::new();
    let lawyer = lawos_testkit::api::assign(&app, firm, "LAWYER").await;
    let t = Instant::now();
    log(format!(
        "seeding {} tasks ({} the lawyer's) and {} appointments",
        args.tasks, args.mine, args.appointments
    ));
    seed(&app.db.admin_url(), firm, &lawyer, &args).await?;
    log(format!("seeded in {:.0} s", t.elapsed().as_secs_f64()));
    let http = reqwest::Client::new();
    let token = app.token(&lawyer);
    let mine_url = app.url("/api/v1/tasks/mine");
    let mine = timed(args.requests, || async {
        let res = http.get(&mine_url).bearer_auth(&token).send().await?;
        if res.status() != 200 {
            bail!("GET /mine answered {}", res.status());
        }
        let body: serde_json::Value = res.json().await?;
        if body["data"].as_array().map_or(0, Vec::len) != 20 {
            bail!("GET /mine: not a full page");
        }
        Ok(())
    })
    .await?;
    // The lawyer organizes appointment 200·k: start of appointment 200.
    let base = chrono::Utc::now().duration_trunc_hour() + chrono::Duration::days(1);
    let busy = base + chrono::Duration::minutes(5 * 200);
    let post_url = app.url("/api/v1/tasks/appointments/");
    let body = json!({ "title": "Clash", "type": "MEETING", "startsAt": busy + chrono::Duration::minutes(10),
                       "endsAt": busy + chrono::Duration::minutes(40), "reminderMinutes": [] });
    let clash = timed(args.requests, || async {
        let res = http
            .post(&post_url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        if res.status() != 409 {
            bail!("the clash check answered {}", res.status());
        }
        Ok(())
    })
    .await?;
    let work = std::env::temp_dir().join(format!("tasks-load-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work)?;
    let mine_sql = tx(
        firm,
        &lawyer,
        &format!(
            "SELECT t.* FROM tasks.task_assignments a JOIN tasks.tasks t ON t.id = a.task_id \
         WHERE a.user_id = '{me}' AND a.removed_at IS NULL AND a.open AND (a.matter_id IS NULL OR a.matter_id <> ALL('{{}}'::uuid[])) \
         ORDER BY a.due_at ASC NULLS LAST, a.task_id LIMIT 21;\n\
         SELECT task_id, user_id FROM tasks.task_assignments WHERE removed_at IS NULL AND task_id IN \
         (SELECT a.task_id FROM tasks.task_assignments a WHERE a.user_id = '{me}' AND a.removed_at IS NULL AND a.open \
          ORDER BY a.due_at ASC NULLS LAST, a.task_id LIMIT 20) ORDER BY task_id, user_id;",
            me = lawyer.user_id
        ),
    );
    let (s, e) = (
        busy + chrono::Duration::minutes(10),
        busy + chrono::Duration::minutes(40),
    );
    let clash_sql = tx(
        firm,
        &lawyer,
        &format!(
            "SELECT o.appointment_id, min(a.title), min(lower(o.during)), min(upper(o.during)), array_agg(DISTINCT t.user_id) \
         FROM unnest('{{{s}}}'::timestamptz[], '{{{e}}}'::timestamptz[]) AS p(s, e) \
         CROSS JOIN LATERAL (SELECT i.firm_id, i.appointment_id, i.during FROM tasks.appointment_occurrences i \
              WHERE i.firm_id = '{firm}' AND i.during && tstzrange(p.s, p.e, '[)')) o \
         JOIN tasks.appointments a ON a.id = o.appointment_id AND a.status = 'SCHEDULED' \
         JOIN tasks.appointment_attendees t ON t.firm_id = o.firm_id AND t.appointment_id = o.appointment_id \
              AND t.removed_at IS NULL \
              AND t.response <> 'DECLINED' AND t.user_id = ANY('{{{me}}}'::uuid[]) \
         GROUP BY o.appointment_id ORDER BY min(lower(o.during)), o.appointment_id LIMIT 50;",
            s = s.to_rfc3339(),
            e = e.to_rfc3339(),
            me = lawyer.user_id
        ),
    );
    let pg_mine = pgbench(
        &pgbench_bin,
        &app,
        &work,
        "mine",
        mine_sql,
        args.pgbench_seconds,
    )
    .await?;
    let pg_clash = pgbench(
        &pgbench_bin,
        &app,
        &work,
        "clash",
        clash_sql,
        args.pgbench_seconds,
    )
    .await?;
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "\ntasks-load: {} tasks ({} assigned to the lawyer), {} appointments; one client, closed loop, {} timed requests per API row",
        args.tasks, args.mine, args.appointments, args.requests
    );
    println!("GET /api/v1/tasks/mine (ratios against pgbench running its SQL):");
    print!(
        "{}",
        table::render(
            Some(&pg_mine),
            &[
                Row::detail("pgbench: the /mine statements", Some(pg_mine)),
                Row::new("GET /api/v1/tasks/mine (page of 20)", Some(mine))
            ]
        )
    );
    println!("clash check (ratios against pgbench running the overlap query):");
    print!(
        "{}",
        table::render(
            Some(&pg_clash),
            &[
                Row::detail("pgbench: the clash query", Some(pg_clash)),
                Row::new("POST /appointments/ → 409 (clash)", Some(clash))
            ]
        )
    );
    let ok = mine.p99 <= Duration::from_millis(25) && clash.p99 <= Duration::from_millis(25);
    println!("aim p99 ≤ 25 ms: {}", if ok { "met" } else { "NOT met" });
    Ok(true)
}

trait TruncHour {
    fn duration_trunc_hour(self) -> Self;
}

impl TruncHour for chrono::DateTime<chrono::Utc> {
    fn duration_trunc_hour(self) -> Self {
        use chrono::DurationRound;
        self.duration_trunc(chrono::Duration::hours(1))
            .unwrap_or(self)
    }
}
