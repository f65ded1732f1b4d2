//! `matters-load`: the matters service under open-loop load, against pgbench
//! running the same SQL transaction as the service's `GET /api/v1/matters/{id}`.
//!
//! Starts rbac + contacts + matters with the test kit (fresh database), seeds one
//! firm with `--matters` matters, a tenth as many contacts and a hundredth as many
//! clients directly in SQL as the database owner, `VACUUM ANALYZE`s, gives a
//! LAWYER user its role through the rbac API, then runs, one after another:
//! pgbench at max throughput and at a fixed rate, and `oha` (open loop, `-q`,
//! `--latency-correction`) at GET by id, the first list page, a list page deep
//! through the cursor and POST, plus GET by id closed loop at max. One table.
//! See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, Utc};
use clap::Parser;
use lawos_bench::oha::{self, OhaRun};
use lawos_bench::pgbench::{self, LogSamples};
use lawos_bench::stats::Summary;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use serde_json::{Value, json};
use tokio::process::Command;

mod scripts;

/// The oha release `cargo install` builds when none is found.
const OHA_VERSION: &str = "1.16.0";
/// Seeded ids: `PREFIX || lpad(k, 12, '0')`, k = 0…N-1, decimal digits (valid hex),
/// so pgbench can compute one from a random integer. Version 7, variant 8.
const MATTER_ID_PREFIX: &str = "00000000-0000-7000-8000-";
const CONTACT_ID_PREFIX: &str = "00000000-0000-7000-8001-";
const CLIENT_ID_PREFIX: &str = "00000000-0000-7000-8002-";
/// At most this many GET URLs go to oha's URL file (a deterministic sample
/// of the ids when there are more matters).
const MAX_URLS: u64 = 100_000;
const PAGE: u32 = 20;
/// A child process that runs this long past its planned duration is killed.
const OVERRUN: Duration = Duration::from_secs(60);

#[derive(Debug, Parser)]
#[command(
    name = "matters-load",
    about = "The matters service under open-loop load, with pgbench as the baseline"
)]
struct Args {
    /// Matters seeded in the one firm (contacts: a tenth; clients: a hundredth)
    #[arg(long, default_value_t = 100_000)]
    matters: u64,
    /// Measured seconds of each row
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// Seconds of warm-up before each HTTP row (same rate, not counted)
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// GET /api/v1/matters/{id} per second (open loop); pgbench -R runs at the same rate
    #[arg(long, default_value_t = 1000)]
    rate_get: u32,
    /// First list pages per second
    #[arg(long, default_value_t = 50)]
    rate_list: u32,
    /// Deep list pages per second
    #[arg(long, default_value_t = 50)]
    rate_deep: u32,
    /// POST /api/v1/matters/ per second
    #[arg(long, default_value_t = 100)]
    rate_post: u32,
    /// Pages walked through the cursor before the deep-page row (limit 20 each)
    #[arg(long, default_value_t = 500)]
    deep_pages: u32,
    /// Connections oha keeps for the open-loop rows (a request due while all are busy waits, and that wait counts)
    #[arg(long, default_value_t = 64)]
    connections: u32,
    /// Connections of the closed-loop GET row (max throughput)
    #[arg(long, default_value_t = 16)]
    max_connections: u32,
    /// Seconds of the closed-loop GET row
    #[arg(long, default_value_t = 10)]
    max_duration: u64,
    /// pgbench clients (-c, -j) for both pgbench rows
    #[arg(long, default_value_t = 2)]
    pgbench_clients: u32,
    /// HTTP workers of the server (the test kit's default is 1)
    #[arg(long, default_value_t = 2)]
    http_workers: usize,
    /// Database connections per service pool (the test kit's default is 4)
    #[arg(long, default_value_t = 16)]
    pool: usize,
    /// The oha binary (default: .lawos/tools/bin/oha, else on PATH, else built with cargo install)
    #[arg(long)]
    oha: Option<PathBuf>,
    /// The pgbench binary (default: on PATH, else /usr/lib/postgresql/*/bin)
    #[arg(long)]
    pgbench: Option<PathBuf>,
    /// Production's path: per-principal rate limits on (leases on the Redis
    /// buckets; the web policy raised to 60,000,000/min so that the one bench
    /// user is never refused and the limiter's cost is what is measured) and
    /// tokens carrying a session id (checked for revocation in Redis per
    /// request). Off by default, as in the test kit
    #[arg(long)]
    rate_limit: bool,
    /// Profile instead of measuring: after seeding and warming, send this many
    /// GET /api/v1/matters/{id} (closed loop, oha -n, -c 8) and stop. Under
    /// `valgrind --tool=callgrind --instr-atstart=no`, collection is switched on
    /// for exactly those requests (`callgrind_control -i on|off`).
    #[arg(long)]
    profile_requests: Option<u64>,
    /// With `--profile-requests`: profile the first list page
    /// (`GET /api/v1/matters/?limit=20`) instead of GET by id
    #[arg(long)]
    profile_list: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("matters-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!("matters-load: {}", msg.as_ref());
}

async fn run(args: Args) -> Result<bool> {
    if args.matters == 0 || args.duration == 0 || args.max_duration == 0 {
        bail!("--matters, --duration and --max-duration must be at least 1");
    }
    if [
        args.rate_get,
        args.rate_list,
        args.rate_deep,
        args.rate_post,
    ]
    .contains(&0)
    {
        bail!("every --rate-… must be at least 1");
    }
    if u64::from(args.deep_pages) * u64::from(PAGE) >= args.matters {
        bail!(
            "--deep-pages {} × {PAGE} reaches past the {} matters",
            args.deep_pages,
            args.matters
        );
    }
    let oha_bin = ensure_oha(args.oha.clone()).await?;
    let pgbench_bin = find_pgbench(args.pgbench.clone())?;
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned());

    log(format!(
        "starting rbac + contacts + matters ({} HTTP workers, {} DB connections per service; fresh database)",
        args.http_workers, args.pool
    ));
    let (http_workers, pool, rate_limit) = (args.http_workers, args.pool, args.rate_limit);
    let app = TestApp::spawn_with(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_contacts::SPEC,
            lawos_svc_matters::SPEC,
        ],
        |config| {
            config.http_workers = http_workers;
            config.db_pool_size = pool;
            config.rate_limit = rate_limit;
            if rate_limit {
                config.rate_policies[lawos_cache::ClientType::Web as usize] =
                    lawos_cache::RatePolicy::per_minute(60_000_000, 60_000_000);
            }
        },
    )
    .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("HTTP client")?;

    let firm = FirmId::new();
    let lawyer = TestUser::member(firm, "LAWYER");
    let year = Utc::now().year();
    let seeded = Instant::now();
    seed(&app.db.admin_url(), firm, &lawyer, args.matters, year).await?;
    log(format!(
        "seeded and analysed in {:.1} s",
        seeded.elapsed().as_secs_f64()
    ));
    assign(&app, &http, firm, &lawyer).await?;

    let work = std::env::temp_dir().join(format!("matters-load-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    if let Some(n) = args.profile_requests {
        let result = profile(&args, &app, &http, &lawyer, &work, &oha_bin, n).await;
        let _ = std::fs::remove_dir_all(&work);
        drop(app);
        return result.map(|()| true);
    }
    let result = measure(&args, &app, &http, &lawyer, &work, &oha_bin, &pgbench_bin).await;
    let _ = std::fs::remove_dir_all(&work);
    let rows = result?;

    let setup = format!(
        "setup: {} matters, {} contacts, {} clients in one firm (VACUUM ANALYZE after seeding); \
         rbac + contacts + matters in one process ({} HTTP workers, {} DB connections per \
         service); oha {} (open loop: -q, --latency-correction, -c {}, the 80 % row -c {}; \
         warm-up {} s not counted) \
         and pgbench ({} clients, -M prepared, as lawos_matters so RLS applies) on the same \
         2-core host as PostgreSQL and the server; load average before: {load_average}",
        args.matters,
        contacts_of(args.matters),
        clients_of(args.matters),
        args.http_workers,
        args.pool,
        OHA_VERSION,
        args.connections,
        args.max_connections,
        args.warmup,
        args.pgbench_clients,
    );
    let ok = rows.print(&args, &setup);
    drop(app);
    Ok(ok)
}

fn contacts_of(matters: u64) -> u64 {
    (matters / 10).max(1)
}

fn clients_of(matters: u64) -> u64 {
    (matters / 100).max(1)
}

// --- tools -------------------------------------------------------------------

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// oha: the given path, `.lawos/tools/bin/oha`, on PATH, or built from crates.io
/// into `.lawos/tools` (as scripts/infra.sh builds s3s-fs) unless
/// `LAWOS_INFRA_INSTALL=never`.
async fn ensure_oha(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let root = workspace_root();
    let tools = root.join(".lawos/tools");
    let local = tools.join("bin/oha");
    if local.is_file() {
        return Ok(local);
    }
    if let Some(p) = on_path("oha") {
        return Ok(p);
    }
    if std::env::var("LAWOS_INFRA_INSTALL").as_deref() == Ok("never") {
        bail!(
            "oha is not installed and LAWOS_INFRA_INSTALL=never: install it with \
             `cargo install oha --version {OHA_VERSION} --locked --root .lawos/tools`, \
             or pass --oha <path>"
        );
    }
    log(format!(
        "building oha {OHA_VERSION} from crates.io into .lawos/tools (first time only, a few minutes)"
    ));
    let status = Command::new("cargo")
        .args([
            "install",
            "oha",
            "--version",
            OHA_VERSION,
            "--locked",
            "--root",
        ])
        .arg(&tools)
        .env("CARGO_TARGET_DIR", root.join(".lawos/tools-target"))
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .status()
        .await
        .context("running cargo install oha")?;
    if !status.success() || !local.is_file() {
        bail!(
            "`cargo install oha --version {OHA_VERSION} --locked --root .lawos/tools` failed \
             ({status}; output above): fix that, or pass --oha <path>"
        );
    }
    Ok(local)
}

/// pgbench: the given path, on PATH, or the newest /usr/lib/postgresql/*/bin/pgbench.
fn find_pgbench(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    if let Some(p) = on_path("pgbench") {
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
    found.pop().map(|(_, p)| p).context(
        "pgbench not found (on PATH or under /usr/lib/postgresql/*/bin): install the \
         PostgreSQL client package (postgresql-client / postgresql-contrib), or pass --pgbench",
    )
}

/// Runs `cmd` to completion, killed if it outlives `budget`; answers stdout.
async fn output(mut cmd: Command, what: &str, budget: Duration) -> Result<String> {
    cmd.kill_on_drop(true).stdin(Stdio::null());
    let out = tokio::time::timeout(budget, cmd.output())
        .await
        .with_context(|| format!("{what}: still running after {} s", budget.as_secs()))?
        .with_context(|| format!("{what}: could not start"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "{what}: {}\n{}{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(stdout)
}

// --- seeding -----------------------------------------------------------------

/// One firm's data, straight into the tables as the database owner (a superuser:
/// RLS does not apply). Triggers are off while seeding
/// (`session_replication_role = replica`), so no outbox rows (and no
/// foreign-key checks: the ids are consistent by construction).
async fn seed(admin_url: &str, firm: FirmId, user: &TestUser, n: u64, year: i32) -> Result<()> {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .context("connecting to the benchmark database as its owner")?;
    let driver = tokio::spawn(connection);
    let contacts = contacts_of(n);
    let clients = clients_of(n);
    let user = user.user_id;
    log(format!(
        "seeding {n} matters, {contacts} contacts, {clients} clients"
    ));
    let names = "ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',\
                 'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson',\
                 'Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White',\
                 'Harris','Sanchez','Clark','Ramirez','Lewis','Robinson','Walker']";
    let given = "ARRAY['Ada','Grace','Alan','Linus','Barbara','Ken','Margaret','Dennis','Frances',\
                 'John','Mary','James','Patricia','Robert','Jennifer','Michael','Linda','David',\
                 'Elizabeth','William','Susan','Richard','Jessica']";
    let cities = "ARRAY['Los Angeles','San Diego','San Jose','San Francisco','Fresno',\
                  'Sacramento','Long Beach','Oakland']";
    let sql = format!(
        r#"
SET session_replication_role = replica;
SET synchronous_commit = off;
BEGIN;
INSERT INTO contacts.contacts (id, firm_id, kind, given_name, family_name, organization_name,
    display_name, emails, phones, addresses, notes, created_by, updated_by, created_at, updated_at)
SELECT ('{CONTACT_ID_PREFIX}' || lpad(k::text, 12, '0'))::uuid, '{firm}', p.kind,
       CASE WHEN p.kind = 'PERSON' THEN p.g END, CASE WHEN p.kind = 'PERSON' THEN p.f END,
       CASE WHEN p.kind = 'ORGANIZATION' THEN p.f || ' Holdings ' || k END,
       CASE WHEN p.kind = 'PERSON' THEN p.g || ' ' || p.f ELSE p.f || ' Holdings ' || k END,
       jsonb_build_array(jsonb_build_object('address', lower(p.g || '.' || p.f || k || '@example.com'), 'label', 'work')),
       jsonb_build_array(jsonb_build_object('number', '+1415' || lpad((k % 10000000)::text, 7, '0'), 'label', 'mobile')),
       jsonb_build_array(jsonb_build_object('street', (1 + k % 999) || ' Market St', 'city', p.city,
           'state', 'CA', 'zip', (90000 + k % 6000)::text, 'country', 'US', 'label', 'office')),
       CASE WHEN k % 7 = 0 THEN 'Referred by an existing client.' END,
       '{user}', '{user}', p.at, p.at
FROM generate_series(0, {contacts} - 1) AS k,
LATERAL (SELECT CASE WHEN k % 5 = 0 THEN 'ORGANIZATION' ELSE 'PERSON' END AS kind,
                ({given})[1 + k % 23] AS g, ({names})[1 + (k / 23) % 31] AS f,
                ({cities})[1 + k % 8] AS city,
                date_trunc('year', now()) + (now() - date_trunc('year', now())) * (k::float8 / {contacts}) AS at) p;
INSERT INTO contacts.clients (id, firm_id, client_type, full_name, company_name, email, phone,
    status, contact_id, created_by, updated_by, created_at, updated_at)
SELECT ('{CLIENT_ID_PREFIX}' || lpad(k::text, 12, '0'))::uuid, '{firm}',
       CASE WHEN c.kind = 'ORGANIZATION' THEN 'CORPORATION' ELSE 'INDIVIDUAL' END,
       CASE WHEN c.kind = 'PERSON' THEN c.display_name END,
       CASE WHEN c.kind = 'ORGANIZATION' THEN c.organization_name END,
       c.emails -> 0 ->> 'address', c.phones -> 0 ->> 'number', 'ACTIVE', c.id,
       '{user}', '{user}', c.created_at, c.created_at
FROM generate_series(0, {clients} - 1) AS k
JOIN contacts.contacts c ON c.id = ('{CONTACT_ID_PREFIX}' || lpad(((k * 10) % {contacts})::text, 12, '0'))::uuid;
INSERT INTO matters.matters (id, firm_id, matter_number, title, description, matter_type,
    practice_area, stage, client_id, opened_at, closed_at, created_by, updated_by,
    created_at, updated_at)
SELECT ('{MATTER_ID_PREFIX}' || lpad(k::text, 12, '0'))::uuid, '{firm}',
       '{year}-' || lpad((k + 1)::text, greatest(5, length((k + 1)::text)), '0'),
       ({names})[1 + k % 31] || ' v. ' || ({names})[1 + (k / 31) % 31] || ' (' || (k + 1) || ')',
       CASE WHEN k % 3 = 0 THEN NULL ELSE 'Dispute over a ' || ({cities})[1 + k % 8]
            || ' contract; discovery scheduled, opposing counsel responsive, budget approved by the client.' END,
       (ARRAY['CIVIL','CRIMINAL','FAMILY','CORPORATE','IMMIGRATION','OTHER'])[1 + k % 6],
       (ARRAY['Personal Injury','Employment','Real Estate','Family Law','Criminal Defense',
              'Corporate','Immigration','Intellectual Property',NULL])[1 + k % 9],
       s.stage,
       CASE WHEN k % 4 = 0 THEN NULL
            ELSE ('{CLIENT_ID_PREFIX}' || lpad((k % {clients})::text, 12, '0'))::uuid END,
       CASE WHEN s.stage <> 'LEAD' THEN s.at END,
       CASE WHEN s.stage IN ('CLOSED', 'ARCHIVED') THEN least(now(), s.at + interval '30 days') END,
       '{user}', '{user}', s.at, least(now(), s.at + (k % 97) * interval '1 hour')
FROM generate_series(0, {n} - 1) AS k,
LATERAL (SELECT CASE WHEN k % 20 = 0 THEN 'LEAD' WHEN k % 20 < 6 THEN 'OPEN'
                     WHEN k % 20 < 14 THEN 'IN_PROGRESS' WHEN k % 20 < 19 THEN 'CLOSED'
                     ELSE 'ARCHIVED' END AS stage,
                date_trunc('year', now()) + (now() - date_trunc('year', now())) * (k::float8 / {n}) AS at) s;
INSERT INTO matters.matter_number_sequences (firm_id, year, last_value) VALUES ('{firm}', {year}, {n});
COMMIT;
RESET session_replication_role;
"#
    );
    client.batch_execute(&sql).await.context("seeding")?;
    log("VACUUM ANALYZE");
    client
        .batch_execute(
            "VACUUM (ANALYZE) contacts.contacts, contacts.clients, matters.matters, \
             matters.matter_number_sequences",
        )
        .await
        .context("VACUUM ANALYZE")?;
    drop(client);
    let _ = driver.await;
    Ok(())
}

/// The firm's administrator gives `lawyer` the LAWYER role through the rbac API.
async fn assign(
    app: &TestApp,
    http: &reqwest::Client,
    firm: FirmId,
    lawyer: &TestUser,
) -> Result<()> {
    let admin = TestUser::member(firm, "FIRM_ADMIN");
    let res = http
        .post(app.url("/api/v1/rbac/assignments"))
        .bearer_auth(app.token(&admin))
        .json(&json!({ "userId": lawyer.user_id, "role": "LAWYER" }))
        .send()
        .await
        .context("assigning LAWYER")?;
    let status = res.status();
    if status != 201 {
        let body = res.text().await.unwrap_or_default();
        bail!("assigning LAWYER through rbac: {status} {body}");
    }
    Ok(())
}

// --- measuring ---------------------------------------------------------------

/// One line of the table.
struct Line {
    endpoint: String,
    /// `None`: as fast as it goes (closed loop / pgbench without -R).
    offered: Option<u32>,
    achieved: f64,
    ok: u64,
    errors: u64,
    /// p50, p95, p99 in ms.
    pct: [f64; 3],
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    PgMax,
    PgRate,
    GetRate,
    GetMax,
    /// GET by id open loop at 80 % of the closed-loop maximum.
    GetAt80,
    PgListMax,
    ListMax,
    PgPostMax,
    PostMax,
    Other,
}

impl Kind {
    /// The pgbench row a row at max is a share of.
    fn baseline(self) -> Option<Kind> {
        match self {
            Kind::PgMax | Kind::GetMax => Some(Kind::PgMax),
            Kind::PgListMax | Kind::ListMax => Some(Kind::PgListMax),
            Kind::PgPostMax | Kind::PostMax => Some(Kind::PgPostMax),
            _ => None,
        }
    }
}

struct Rows {
    lines: Vec<Line>,
    list_first_p99: f64,
}

fn line_of(endpoint: String, offered: Option<u32>, run: &OhaRun, kind: Kind) -> Line {
    Line {
        endpoint,
        offered,
        achieved: run.achieved_per_s,
        ok: run.ok,
        errors: run.errors,
        pct: [run.p50_ms, run.p95_ms, run.p99_ms],
        kind,
    }
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    args: &Args,
    app: &TestApp,
    http: &reqwest::Client,
    lawyer: &TestUser,
    work: &Path,
    oha_bin: &Path,
    pgbench_bin: &Path,
) -> Result<Rows> {
    let matters_url = app.url("/api/v1/matters/");
    // Warm: the lawyer's capabilities into the matters service's cache, the pools.
    for _ in 0..20 {
        let res = http
            .get(format!("{matters_url}?limit={PAGE}"))
            .bearer_auth(app.token(lawyer))
            .send()
            .await
            .context("first list page")?;
        if !res.status().is_success() {
            let status = res.status();
            bail!(
                "GET {matters_url}?limit={PAGE} as the lawyer: {status} {}",
                res.text().await.unwrap_or_default()
            );
        }
    }
    let deep = walk_cursor(app, http, lawyer, args.deep_pages).await?;

    let pg = Pgbench {
        bin: pgbench_bin,
        work,
        db_url: url::Url::parse(&app.db.admin_url()).context("database URL")?,
        db_name: &app.db.name,
        lawyer,
        clients: args.pgbench_clients,
        duration: args.duration,
    };
    let get_script = scripts::get(args.matters);
    let mut lines = Vec::new();
    log(format!(
        "pgbench: GET transaction at max, {} clients, {} s",
        args.pgbench_clients, args.duration
    ));
    lines.push(pg.run("GET", &get_script, None, Kind::PgMax).await?);
    log(format!(
        "pgbench: GET transaction at {}/s, {} s",
        args.rate_get, args.duration
    ));
    lines.push(
        pg.run("GET", &get_script, Some(args.rate_get), Kind::PgRate)
            .await?,
    );

    let urls = work.join("get-urls.txt");
    std::fs::write(&urls, get_urls(&matters_url, args.matters))
        .with_context(|| format!("writing {}", urls.display()))?;
    let oha = Oha {
        bin: oha_bin,
        app,
        lawyer,
        args,
    };
    let get = Target::UrlFile(&urls);
    let run = oha.open(&get, args.rate_get, "GET by id").await?;
    lines.push(line_of(
        format!("GET /matters/{{id}} (random of {})", args.matters),
        Some(args.rate_get),
        &run,
        Kind::GetRate,
    ));
    let run = oha.closed(&get, "GET by id").await?;
    lines.push(line_of(
        format!(
            "GET /matters/{{id}}, max (closed loop, -c {})",
            args.max_connections
        ),
        None,
        &run,
        Kind::GetMax,
    ));
    let first = format!("{matters_url}?limit={PAGE}");
    let run = oha
        .open(&Target::Url(&first), args.rate_list, "first list page")
        .await?;
    let list_first_p99 = run.p99_ms;
    lines.push(line_of(
        format!("GET /matters/?limit={PAGE} (first page)"),
        Some(args.rate_list),
        &run,
        Kind::Other,
    ));
    let run = oha
        .open(&Target::Url(&deep), args.rate_deep, "deep list page")
        .await?;
    lines.push(line_of(
        format!(
            "GET /matters/?limit={PAGE}&cursor=… (page {})",
            args.deep_pages + 1
        ),
        Some(args.rate_deep),
        &run,
        Kind::Other,
    ));
    let run = oha
        .open(&Target::Post(&matters_url), args.rate_post, "POST")
        .await?;
    lines.push(line_of(
        "POST /matters/ (numbered, outbox row)".to_owned(),
        Some(args.rate_post),
        &run,
        Kind::Other,
    ));

    // Each transaction at its maximum, beside pgbench running it at its own.
    let max_get = lines
        .iter()
        .find(|l| l.kind == Kind::GetMax)
        .map_or(1.0, |l| l.achieved);
    let at80 = u32::try_from((max_get * 0.8).round() as u64)
        .unwrap_or(u32::MAX)
        .max(1);
    // The client of the maximum it is 80 % of (`--max-connections`): oha over
    // more connections costs the shared two cores more than the rate does.
    let run = oha
        .open_with(&get, at80, args.max_connections, "GET by id at 80 % of max")
        .await?;
    lines.push(line_of(
        "GET /matters/{id} at 80 % of its max".to_owned(),
        Some(at80),
        &run,
        Kind::GetAt80,
    ));
    log(format!(
        "pgbench: first-page transaction at max, {} s",
        args.duration
    ));
    lines.push(
        pg.run("first-page", &scripts::first_page(), None, Kind::PgListMax)
            .await?,
    );
    let run = oha.closed(&Target::Url(&first), "first list page").await?;
    lines.push(line_of(
        format!(
            "GET /matters/?limit={PAGE}, max (closed loop, -c {})",
            args.max_connections
        ),
        None,
        &run,
        Kind::ListMax,
    ));
    let year = Utc::now().year();
    log(format!(
        "pgbench: POST transaction at max, {} s",
        args.duration
    ));
    lines.push(
        pg.run("POST", &scripts::post(year), None, Kind::PgPostMax)
            .await?,
    );
    let run = oha.closed(&Target::Post(&matters_url), "POST").await?;
    lines.push(line_of(
        format!(
            "POST /matters/, max (closed loop, -c {})",
            args.max_connections
        ),
        None,
        &run,
        Kind::PostMax,
    ));
    Ok(Rows {
        lines,
        list_first_p99,
    })
}

/// `--profile-requests n`: warm, then `n` GETs by id (or first list pages,
/// `--profile-list`) with callgrind collecting.
async fn profile(
    args: &Args,
    app: &TestApp,
    http: &reqwest::Client,
    lawyer: &TestUser,
    work: &Path,
    oha_bin: &Path,
    n: u64,
) -> Result<()> {
    let matters_url = app.url("/api/v1/matters/");
    let urls = work.join("get-urls.txt");
    let listed = if args.profile_list {
        format!("{matters_url}?limit={PAGE}\n")
    } else {
        get_urls(&matters_url, args.matters)
    };
    std::fs::write(&urls, listed).with_context(|| format!("writing {}", urls.display()))?;
    let what = if args.profile_list {
        "first list pages"
    } else {
        "GETs by id"
    };
    for _ in 0..50 {
        let res = http
            .get(format!("{matters_url}{}", matter_id(7)))
            .bearer_auth(app.token(lawyer))
            .send()
            .await
            .context("warm-up GET")?;
        if !res.status().is_success() {
            bail!("warm-up GET answered {}", res.status());
        }
    }
    let pid = std::process::id().to_string();
    let callgrind = |on: &str| {
        let _ = std::process::Command::new("callgrind_control")
            .args(["-i", on, &pid])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    let oha = Oha {
        bin: oha_bin,
        app,
        lawyer,
        args,
    };
    let mut cmd = Command::new(oha_bin);
    cmd.args([
        "--no-tui",
        "--output-format",
        "json",
        "-w",
        "-t",
        "60s",
        "-n",
    ])
    .arg(n.to_string())
    .args(["-c", "8", "-H"])
    .arg(format!("Authorization: Bearer {}", app.token(lawyer)))
    .arg("--urls-from-file")
    .arg(&urls);
    log(format!("profile: {n} {what}, closed loop -c 8"));
    callgrind("on");
    let run = oha.go(cmd, "profile", 600).await;
    callgrind("off");
    let run = run?;
    log(format!(
        "profile: {} ok, {} errors, {:.0} req/s (under the profiler)",
        run.ok, run.errors, run.achieved_per_s
    ));
    Ok(())
}

/// Walks `pages` pages of the default list (newest first) through the cursor and
/// answers the URL of the page after them.
async fn walk_cursor(
    app: &TestApp,
    http: &reqwest::Client,
    lawyer: &TestUser,
    pages: u32,
) -> Result<String> {
    log(format!("walking {pages} list pages through the cursor"));
    let base = app.url("/api/v1/matters/");
    let started = Instant::now();
    let mut cursor: Option<String> = None;
    let mut token = app.token(lawyer);
    for page in 0..pages {
        if page % 100 == 99 {
            token = app.token(lawyer);
            log(format!(
                "  page {} ({:.1} s)",
                page + 1,
                started.elapsed().as_secs_f64()
            ));
        }
        let mut req = http
            .get(&base)
            .bearer_auth(&token)
            .query(&[("limit", PAGE.to_string())]);
        if let Some(c) = &cursor {
            req = req.query(&[("cursor", c)]);
        }
        let res = req.send().await.context("walking the cursor")?;
        let status = res.status();
        let body: Value = res.json().await.context("list page body")?;
        if !status.is_success() {
            bail!("list page {}: {status} {body}", page + 1);
        }
        let next = body["pagination"]["nextCursor"]
            .as_str()
            .with_context(|| format!("list page {} has no nextCursor: {body}", page + 1))?;
        cursor = Some(next.to_owned());
    }
    let cursor = cursor.context("no pages walked")?;
    let url =
        url::Url::parse_with_params(&base, &[("limit", PAGE.to_string()), ("cursor", cursor)])
            .context("deep page URL")?;
    Ok(url.to_string())
}

/// `k`-th seeded matter's id.
fn matter_id(k: u64) -> String {
    format!("{MATTER_ID_PREFIX}{k:012}")
}

/// GET URLs for oha's URL file (it picks one at random per request): every
/// matter, or a deterministic spread of `MAX_URLS` of them.
fn get_urls(base: &str, n: u64) -> String {
    let count = n.min(MAX_URLS);
    let mut out = String::with_capacity(usize::try_from(count).unwrap_or(0) * 80);
    for i in 0..count {
        // Evenly spread over 0..n (all of them when n ≤ MAX_URLS).
        let k = u128::from(i) * u128::from(n) / u128::from(count);
        let k = u64::try_from(k).unwrap_or(0);
        let _ = writeln!(out, "{base}{}", matter_id(k));
    }
    out
}

struct Pgbench<'a> {
    bin: &'a Path,
    work: &'a Path,
    db_url: url::Url,
    db_name: &'a str,
    lawyer: &'a TestUser,
    clients: u32,
    duration: u64,
}

impl Pgbench<'_> {
    /// One pgbench run of `script` (named `name`, e.g. `get`): at max (`rate`
    /// None) or at `rate` transactions per second.
    async fn run(&self, name: &str, script: &str, rate: Option<u32>, kind: Kind) -> Result<Line> {
        let tag = rate.map_or_else(|| format!("{name}-max"), |r| format!("{name}-r{r}"));
        let script_path = self.work.join(format!("{name}.sql"));
        std::fs::write(&script_path, script)
            .with_context(|| format!("writing {}", script_path.display()))?;
        let prefix = self.work.join(format!("pgbench-{tag}"));
        let roles = lawos_db::ServiceRoles::for_service("matters");
        let mut cmd = Command::new(self.bin);
        cmd.env("PGPASSWORD", lawos_db::testdb::DEV_APP_PASSWORD)
            .arg("-h")
            .arg(self.db_url.host_str().unwrap_or("127.0.0.1"))
            .arg("-p")
            .arg(self.db_url.port().unwrap_or(5432).to_string())
            .arg("-U")
            .arg(&roles.runtime)
            .args(["-n", "-M", "prepared", "-c"])
            .arg(self.clients.to_string())
            .arg("-j")
            .arg(self.clients.to_string())
            .arg("-T")
            .arg(self.duration.to_string())
            .arg("-D")
            .arg(format!(
                "firm={}",
                self.lawyer
                    .firm_id
                    .map(|f| f.to_string())
                    .unwrap_or_default()
            ))
            .arg("-D")
            .arg(format!("user={}", self.lawyer.user_id))
            .arg("-l")
            .arg(format!("--log-prefix={}", prefix.display()))
            .arg("-f")
            .arg(&script_path);
        if let Some(r) = rate {
            cmd.arg("-R").arg(r.to_string());
        }
        cmd.arg(self.db_name).current_dir(self.work);
        let budget = Duration::from_secs(self.duration) + OVERRUN;
        let stdout = output(cmd, "pgbench", budget).await?;
        let tps = pgbench::tps(&stdout)?;
        let mut samples = LogSamples::default();
        let stem = format!("pgbench-{tag}.");
        for entry in std::fs::read_dir(self.work).context("reading pgbench logs")? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(&stem) {
                let text = std::fs::read_to_string(entry.path())
                    .with_context(|| format!("reading {}", entry.path().display()))?;
                samples.add(&text);
            }
        }
        let ok = samples.latencies.len() as u64;
        let summary = Summary::of(samples.latencies).context("pgbench logged no transaction")?;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Ok(Line {
            endpoint: match rate {
                None => format!("pgbench {name} transaction, max ({} clients)", self.clients),
                Some(_) => format!("pgbench {name} transaction ({} clients)", self.clients),
            },
            offered: rate,
            achieved: tps,
            ok,
            errors: samples.failed,
            pct: [ms(summary.p50), ms(summary.p95), ms(summary.p99)],
            kind,
        })
    }
}

enum Target<'a> {
    Url(&'a str),
    /// oha's `--urls-from-file`: one URL of the file at random per request.
    UrlFile(&'a Path),
    /// POST a new matter to this URL.
    Post(&'a str),
}

struct Oha<'a> {
    bin: &'a Path,
    app: &'a TestApp,
    lawyer: &'a TestUser,
    args: &'a Args,
}

impl Oha<'_> {
    fn command(&self, target: &Target<'_>, seconds: u64) -> Command {
        let mut cmd = Command::new(self.bin);
        cmd.args([
            "--no-tui",
            "--output-format",
            "json",
            "-w",
            "-t",
            "10s",
            "-z",
        ])
        .arg(format!("{seconds}s"))
        .arg("-H")
        // A fresh token per run (they live 15 minutes).
        .arg(format!(
            "Authorization: Bearer {}",
            bearer(self.app, self.lawyer, self.args.rate_limit)
        ));
        match target {
            Target::Url(url) => {
                cmd.arg(url);
            }
            Target::UrlFile(path) => {
                cmd.arg("--urls-from-file").arg(path);
            }
            Target::Post(url) => {
                let body = json!({
                    "title": "Bench v. Load",
                    "description": "Created by matters-load",
                    "matterType": "CIVIL",
                    "practiceArea": "Personal Injury",
                });
                cmd.args(["-m", "POST", "-T", "application/json", "-d"])
                    .arg(body.to_string())
                    .arg(url);
            }
        }
        cmd
    }

    async fn go(&self, mut cmd: Command, what: &str, seconds: u64) -> Result<OhaRun> {
        cmd.stderr(Stdio::piped());
        let budget = Duration::from_secs(seconds) + OVERRUN;
        let stdout = output(cmd, &format!("oha ({what})"), budget).await?;
        oha::parse(&stdout).with_context(|| format!("oha ({what})"))
    }

    /// Open loop at `rate`: a warm-up run, then the measured one.
    async fn open(&self, target: &Target<'_>, rate: u32, what: &str) -> Result<OhaRun> {
        self.open_with(target, rate, self.args.connections, what)
            .await
    }

    /// [`Self::open`] over `connections` connections.
    async fn open_with(
        &self,
        target: &Target<'_>,
        rate: u32,
        connections: u32,
        what: &str,
    ) -> Result<OhaRun> {
        let open = |seconds: u64| {
            let mut cmd = self.command(target, seconds);
            cmd.arg("-q")
                .arg(rate.to_string())
                .arg("--latency-correction")
                .arg("-c")
                .arg(connections.to_string());
            cmd
        };
        if self.args.warmup > 0 {
            log(format!("oha: {what} warm-up, {} s", self.args.warmup));
            self.go(open(self.args.warmup), what, self.args.warmup)
                .await?;
        }
        log(format!(
            "oha: {what} at {rate}/s open loop, {} s",
            self.args.duration
        ));
        self.go(open(self.args.duration), what, self.args.duration)
            .await
    }

    /// Closed loop (no rate): as many requests as `--max-connections` keep going.
    async fn closed(&self, target: &Target<'_>, what: &str) -> Result<OhaRun> {
        let seconds = self.args.max_duration;
        log(format!(
            "oha: {what} closed loop, -c {}, {seconds} s",
            self.args.max_connections
        ));
        let mut cmd = self.command(target, seconds);
        cmd.arg("-c").arg(self.args.max_connections.to_string());
        self.go(cmd, &format!("{what} max"), seconds).await
    }
}

/// The lawyer's access token; with `session`, carrying a session id as the
/// auth service's tokens do (so the validator checks its revocation).
fn bearer(app: &TestApp, lawyer: &TestUser, session: bool) -> String {
    if !session {
        return app.token(lawyer);
    }
    let claims = app
        .issuer
        .claims(lawyer)
        .with_session(uuid::Uuid::now_v7().to_string());
    app.issuer
        .signer
        .sign(&claims)
        .unwrap_or_else(|e| panic!("sign: {e}"))
}

// --- the table ---------------------------------------------------------------

fn fmt_ms(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "-".to_owned()
    }
}

fn fmt_ratio(v: f64, base: f64) -> String {
    if v.is_finite() && base.is_finite() && base > 0.0 {
        format!("{:.1}x", v / base)
    } else {
        "-".to_owned()
    }
}

impl Rows {
    fn find(&self, kind: Kind) -> Option<&Line> {
        self.lines.iter().find(|l| l.kind == kind)
    }

    /// Prints the table and the goals; answers whether every row had ≤ 1 % errors.
    fn print(&self, args: &Args, setup: &str) -> bool {
        let pg_max = self.find(Kind::PgMax);
        let pg_rate = self.find(Kind::PgRate);
        let width = self
            .lines
            .iter()
            .map(|l| l.endpoint.chars().count())
            .max()
            .unwrap_or(10);
        let mut out = format!(
            "{:<width$} {:>8} {:>9} {:>7} {:>6} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7}\n",
            "endpoint",
            "offered/s",
            "achieved/s",
            "ok",
            "errors",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "×pg p50",
            "×pg p95",
            "×pg p99",
            "×pg rate",
        );
        let mut ok = true;
        for l in &self.lines {
            let offered = l
                .offered
                .map_or_else(|| "max".to_owned(), |r| r.to_string());
            let _ = write!(
                out,
                "{:<width$} {:>9} {:>10.0} {:>7} {:>6} {:>8} {:>8} {:>8}",
                l.endpoint,
                offered,
                l.achieved,
                l.ok,
                l.errors,
                fmt_ms(l.pct[0]),
                fmt_ms(l.pct[1]),
                fmt_ms(l.pct[2]),
            );
            // Latency ratios against pgbench at the fixed rate (rows at a fixed
            // rate); the throughput ratio against pgbench at max (rows at max).
            let latency_base = match (l.kind, l.offered, pg_rate) {
                (Kind::GetRate, Some(_), base) => base,
                _ => None,
            };
            match latency_base {
                Some(base) => {
                    for (v, b) in l.pct.iter().zip(base.pct) {
                        let _ = write!(out, " {:>7}", fmt_ratio(*v, b));
                    }
                }
                None => {
                    let _ = write!(out, " {:>7} {:>7} {:>7}", "", "", "");
                }
            }
            let rate_ratio = match l.kind.baseline().and_then(|k| self.find(k)) {
                Some(base) if base.achieved > 0.0 => {
                    format!("{:.0} %", 100.0 * l.achieved / base.achieved)
                }
                _ => String::new(),
            };
            let _ = write!(out, " {rate_ratio:>8}");
            out.push('\n');
            let total = l.ok + l.errors;
            if total == 0 || l.errors * 100 > total {
                ok = false;
            }
        }
        println!("{setup}");
        println!();
        print!("{out}");
        println!();
        println!(
            "×pg p50/p95/p99 (GET by id at the fixed rate): the row's percentile over \
             pgbench's GET at the same rate ({}/s; latency from the due instant in both). \
             ×pg rate (rows at max): achieved throughput over pgbench's at max running the \
             same transaction (GET, first page, POST). Percentiles: oha's for HTTP, nearest \
             rank of pgbench's per-transaction log for pgbench.",
            args.rate_get
        );
        println!();
        if let (Some(max), Some(at_rate), Some(base)) =
            (self.find(Kind::GetMax), self.find(Kind::GetRate), pg_max)
        {
            let share = 100.0 * max.achieved / base.achieved;
            let verdict = |met: bool| if met { "met" } else { "NOT met" };
            println!(
                "goal GET by id ≥ 5,000 req/s with p99 ≤ 25 ms: {:.0} req/s closed loop \
                 (p99 {} ms there); p99 {} ms open loop at {}/s → {}",
                max.achieved,
                fmt_ms(max.pct[2]),
                fmt_ms(at_rate.pct[2]),
                args.rate_get,
                verdict(max.achieved >= 5000.0 && max.pct[2] <= 25.0)
            );
            println!(
                "goal ≥ 60 % of pgbench's rate for the same transaction: {:.0} / {:.0} = {share:.0} % → {}",
                max.achieved,
                base.achieved,
                verdict(share >= 60.0)
            );
        }
        let verdict = |met: bool| if met { "met" } else { "NOT met" };
        if let Some(at80) = self.find(Kind::GetAt80) {
            println!(
                "goal GET by id p99 ≤ 25 ms open loop at 80 % of the achieved maximum ({}/s): \
                 p99 {} ms → {}",
                at80.offered.unwrap_or(0),
                fmt_ms(at80.pct[2]),
                verdict(at80.pct[2] <= 25.0)
            );
        }
        for (what, row, base, goal) in [
            ("first list page", Kind::ListMax, Kind::PgListMax, 40.0),
            ("POST", Kind::PostMax, Kind::PgPostMax, 30.0),
        ] {
            if let (Some(row), Some(base)) = (self.find(row), self.find(base)) {
                let share = 100.0 * row.achieved / base.achieved.max(f64::MIN_POSITIVE);
                println!(
                    "goal {what} ≥ {goal:.0} % of pgbench's rate for its transaction: {:.0} / {:.0} \
                     = {share:.0} % → {}",
                    row.achieved,
                    base.achieved,
                    verdict(share >= goal)
                );
            }
        }
        println!(
            "goal first list page p99 within 25 % between 100k and 1M matters: p99 {} ms at \
             {} matters (compare with the run at the other size)",
            fmt_ms(self.list_first_p99),
            args.matters
        );
        if !ok {
            println!("FAILED: a row had more than 1 % errors (or no request at all)");
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_are_uuids_in_order() {
        let a = uuid::Uuid::parse_str(&matter_id(0)).unwrap();
        let b = uuid::Uuid::parse_str(&matter_id(99_999)).unwrap();
        assert!(a < b);
        assert_eq!(matter_id(42), "00000000-0000-7000-8000-000000000042");
    }

    #[test]
    fn url_file_covers_or_samples_the_ids() {
        let all = get_urls("http://h/m/", 5);
        assert_eq!(all.lines().count(), 5);
        assert!(all.ends_with("000000000004\n"));
        let some = get_urls("http://h/m/", 1_000_000);
        assert_eq!(some.lines().count(), 100_000);
        assert!(some.lines().last().unwrap().ends_with("000000999990"));
    }
}
