//! `messages-search`: `GET /api/v1/messages/search?q=` over `--messages`
//! messages (default 1,000,000) in one firm, against pgbench running the same
//! query.
//!
//! Starts rbac + messages with the test kit (fresh database) and seeds, as the
//! database owner with SQL `generate_series`, one firm's messages spread over
//! `--matters` matters (one channel each): twelve words of a hundred common
//! ones per message, and in every tenth message one of 100 rare terms
//! (`docket000` … `docket099`, each in 1 of 1,000 messages: a search matches
//! about `--messages / 1000` rows). The insert runs with triggers off, so the
//! search terms (`message_terms`, one row per lexeme) are filled from it in
//! one statement and their primary key built after, as the GIN index is; then
//! `VACUUM ANALYZE`. The searching LAWYER has its role through rbac's API and an
//! ethical wall on one matter (so the visibility predicate is a real one).
//! Then, one after another:
//!
//! - pgbench (as `lawos_messages`, so row-level security applies) running the
//!   service's SQL in one transaction: the query's terms
//!   (`lawos_search_terms`), the ranked query (candidates from `message_terms`,
//!   tsvector match, visibility, `ts_rank_cd`, page of 21) and the page's rows
//!   with their `ts_headline` snippets, a random rare term each time; at max,
//!   then at `--rate`;
//! - oha open loop at `--rate` (`--latency-correction`), one of the 100 terms
//!   at random per request, then closed loop at max.
//!
//! Aim: p99 ≤ 50 ms open loop, and ≥ 50 % of pgbench's rate at max.
//! See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use lawos_bench::oha::{self, OhaRun};
use lawos_bench::pgbench::{self, LogSamples};
use lawos_bench::stats::Summary;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use serde_json::json;
use tokio::process::Command;

const MESSAGE_ID_PREFIX: &str = "00000000-0000-7000-8000-";
const CHANNEL_ID_PREFIX: &str = "00000000-0000-7000-8001-";
const MATTER_ID_PREFIX: &str = "00000000-0000-7000-8002-";
/// The rare terms searched for: `docket000` … `docket099`.
const TERMS: u32 = 100;
/// A child process that runs this long past its planned duration is killed.
const OVERRUN: Duration = Duration::from_secs(60);

/// The common words bodies are made of.
const WORDS: [&str; 100] = [
    "client",
    "court",
    "hearing",
    "motion",
    "filing",
    "draft",
    "review",
    "contract",
    "clause",
    "deadline",
    "witness",
    "statement",
    "evidence",
    "exhibit",
    "counsel",
    "opposing",
    "settlement",
    "offer",
    "meeting",
    "schedule",
    "call",
    "email",
    "letter",
    "notice",
    "judge",
    "order",
    "appeal",
    "brief",
    "research",
    "memo",
    "invoice",
    "payment",
    "retainer",
    "agreement",
    "signature",
    "deposition",
    "transcript",
    "discovery",
    "request",
    "response",
    "objection",
    "ruling",
    "trial",
    "jury",
    "verdict",
    "damages",
    "liability",
    "claim",
    "defense",
    "plaintiff",
    "defendant",
    "estate",
    "trust",
    "property",
    "lease",
    "tenant",
    "landlord",
    "employment",
    "termination",
    "benefits",
    "insurance",
    "policy",
    "coverage",
    "accident",
    "injury",
    "medical",
    "records",
    "report",
    "expert",
    "opinion",
    "testimony",
    "affidavit",
    "declaration",
    "subpoena",
    "service",
    "process",
    "complaint",
    "answer",
    "summons",
    "mediation",
    "arbitration",
    "negotiation",
    "terms",
    "draft",
    "revision",
    "comments",
    "approval",
    "deadline",
    "extension",
    "continuance",
    "calendar",
    "conference",
    "status",
    "update",
    "question",
    "follow",
    "tomorrow",
    "monday",
    "friday",
    "office",
];

#[derive(Debug, Parser)]
#[command(
    name = "messages-search",
    about = "GET /api/v1/messages/search?q= over a firm's messages, with pgbench as the baseline"
)]
struct Args {
    /// Messages seeded in the one firm
    #[arg(long, default_value_t = 1_000_000)]
    messages: u64,
    /// Matters (one channel each) the messages are spread over
    #[arg(long, default_value_t = 1_000)]
    matters: u64,
    /// Searches per second (open loop); pgbench -R runs at the same rate
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// Measured seconds of each row
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// Seconds of warm-up before each HTTP row (same rate, not counted)
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Connections oha keeps for the open-loop row
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Connections of the closed-loop row (max throughput)
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
    /// pgbench clients (-c, -j) for both pgbench rows
    #[arg(long, default_value_t = 2)]
    pgbench_clients: u32,
    /// HTTP workers of the server
    #[arg(long, default_value_t = 2)]
    http_workers: usize,
    /// Database connections of the messages pool
    #[arg(long, default_value_t = 16)]
    pool: usize,
    /// The oha binary (default: .lawos/tools/bin/oha, else on PATH)
    #[arg(long)]
    oha: Option<PathBuf>,
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
            eprintln!("messages-search: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!("messages-search: {}", msg.as_ref());
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn find_oha(explicit: Option<PathBuf>) -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let local = manifest
        .parent()
        .unwrap_or(manifest)
        .join(".lawos/tools/bin/oha");
    explicit
        .or_else(|| local.is_file().then_some(local))
        .or_else(|| on_path("oha"))
        .context(
            "oha not found: `make bench` builds it into .lawos/tools (matters-load), \
             or `cargo install oha --version 1.16.0 --locked --root .lawos/tools`, or pass --oha",
        )
}

fn find_pgbench(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit.or_else(|| on_path("pgbench")) {
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

/// Runs `cmd` to completion, killed if it outlives `budget`; answers stdout.
async fn output(mut cmd: Command, what: &str, budget: Duration) -> Result<String> {
    cmd.kill_on_drop(true).stdin(Stdio::null());
    let out = tokio::time::timeout(budget, cmd.output())
        .await
        .with_context(|| format!("{what}: still running after {} s", budget.as_secs()))?
        .with_context(|| format!("{what}: could not start"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        bail!("{what}: {}\n{stdout}{stderr}", out.status);
    }
    Ok(stdout)
}

/// The SQL of one seeded body: twelve common words picked from `g`, and
/// in every tenth message one rare term.
fn body_sql() -> String {
    let words: Vec<String> = WORDS.iter().map(|w| format!("'{w}'")).collect();
    let pick: Vec<String> = (1..=12u64)
        .map(|k| format!("w[1 + ((g * {} + {}) % 100)]", 2 * k + 1, k * k))
        .collect();
    format!(
        "(SELECT {} || CASE WHEN g % 10 = 0 THEN ' docket' || lpad(((g / 10) % {TERMS})::text, 3, '0') ELSE '' END \
         FROM (SELECT ARRAY[{}] AS w) v)",
        pick.join(" || ' ' || "),
        words.join(", ")
    )
}

async fn seed(admin_url: &str, firm: FirmId, user: &TestUser, args: &Args) -> Result<()> {
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .context("owner connection")?;
    let (n, matters, me) = (args.messages, args.matters, user.user_id);
    let sql = format!(
        r#"
SET session_replication_role = replica;
SET maintenance_work_mem = '512MB';
DROP INDEX messages.messages_body_tsv_idx;
INSERT INTO messages.messages (id, firm_id, channel_id, context_type, context_id, channel_kind,
    direction, body, sender_user_id, attachments, delivery_status, status_changed_at, created_at, updated_at)
SELECT ('{MESSAGE_ID_PREFIX}' || lpad(g::text, 12, '0'))::uuid, '{firm}',
       ('{CHANNEL_ID_PREFIX}' || lpad((g % {matters})::text, 12, '0'))::uuid, 'MATTER',
       ('{MATTER_ID_PREFIX}' || lpad((g % {matters})::text, 12, '0'))::uuid, 'INTERNAL', 'INTERNAL',
       {body}, '{me}', '{{}}', 'DELIVERED', t, t, t
FROM generate_series(0, {n} - 1) g, LATERAL (SELECT now() - g * interval '1 second' AS t) x;
CREATE INDEX messages_body_tsv_idx ON messages.messages USING gin (body_tsv) WHERE deleted_at IS NULL;
ALTER TABLE messages.message_terms DROP CONSTRAINT message_terms_pkey;
INSERT INTO messages.message_terms (firm_id, term, message_id)
SELECT m.firm_id, t, m.id FROM messages.messages m, unnest(tsvector_to_array(m.body_tsv)) t;
ALTER TABLE messages.message_terms ADD PRIMARY KEY (firm_id, term, message_id);
SET session_replication_role = origin;
"#,
        body = body_sql()
    );
    conn.batch_execute(&sql).await.context("seeding")?;
    // On its own: several statements in one call run as one transaction block,
    // where VACUUM cannot.
    for table in ["messages", "message_terms"] {
        conn.batch_execute(&format!("VACUUM ANALYZE messages.{table}"))
            .await
            .context("VACUUM ANALYZE")?;
    }
    Ok(())
}

/// The service's search SQL in one transaction, as pgbench runs it: the
/// query's terms, the ranked hits among the messages `message_terms` leads
/// to, and the page's rows with their snippets.
fn pgbench_script(walled: &str) -> String {
    let q = "websearch_to_tsquery('english', 'docket' || lpad(:w::text, 3, '0'))";
    let rank = format!("ts_rank_cd(m.body_tsv, {q})");
    format!(
        "\\set w random(0, {last})\n\
         BEGIN;\n\
         SELECT set_config('app.firm_id', :firm, true), set_config('app.user_id', :user, true), \
         set_config('app.act_as', '', true), set_config('app.all_firms', 'off', true), set_config('app.traceparent', '', true);\n\
         SELECT lexemes, needed FROM messages.lawos_search_terms({q}) \\gset\n\
         WITH hits AS (\
           SELECT m.id, {rank} AS rank FROM messages.messages m \
           WHERE m.deleted_at IS NULL \
             AND m.id IN (SELECT t.message_id FROM messages.message_terms t \
                          WHERE t.term = ANY(:lexemes::text[]) GROUP BY t.message_id HAVING count(*) >= :needed::int) \
             AND m.body_tsv @@ {q} \
             AND ((m.context_type = 'MATTER' AND m.context_id <> ALL('{{{walled}}}'::uuid[])) \
                  OR m.context_type = 'CONTACT' OR m.context_type = 'INTERNAL') \
           ORDER BY {rank} DESC, m.id DESC LIMIT 21) \
         SELECT m.*, h.rank, ts_headline('english', \
           replace(replace(replace(m.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), {q}, \
           'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2') \
         FROM (SELECT * FROM hits ORDER BY rank DESC, id DESC LIMIT 20) h JOIN messages.messages m USING (id);\n\
         COMMIT;\n",
        last = TERMS - 1
    )
}

/// One measured row.
struct Line {
    what: String,
    offered: Option<u32>,
    achieved: f64,
    ok: u64,
    errors: u64,
    pct: [f64; 3],
}

fn of_oha(what: String, offered: Option<u32>, run: &OhaRun) -> Line {
    Line {
        what,
        offered,
        achieved: run.achieved_per_s,
        ok: run.ok,
        errors: run.errors,
        pct: [run.p50_ms, run.p95_ms, run.p99_ms],
    }
}

struct Bench<'a> {
    args: &'a Args,
    app: &'a TestApp,
    lawyer: &'a TestUser,
    work: PathBuf,
    oha: PathBuf,
    pgbench: PathBuf,
}

impl Bench<'_> {
    async fn pgbench(&self, script: &Path, rate: Option<u32>) -> Result<Line> {
        let tag = rate.map_or_else(|| "max".to_owned(), |r| format!("r{r}"));
        let prefix = self.work.join(format!("pgbench-{tag}"));
        let url = url::Url::parse(&self.app.db.admin_url())?;
        let clients = self.args.pgbench_clients.to_string();
        let mut cmd = Command::new(&self.pgbench);
        cmd.env("PGPASSWORD", lawos_db::testdb::DEV_APP_PASSWORD)
            .arg("-h")
            .arg(url.host_str().unwrap_or("127.0.0.1"))
            .arg("-p")
            .arg(url.port().unwrap_or(5432).to_string())
            .arg("-U")
            .arg(lawos_db::ServiceRoles::for_service("messages").runtime)
            .args(["-n", "-M", "prepared", "-c", &clients, "-j", &clients, "-T"])
            .arg(self.args.duration.to_string())
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
            .arg(script);
        if let Some(r) = rate {
            cmd.arg("-R").arg(r.to_string());
        }
        cmd.arg(&self.app.db.name).current_dir(&self.work);
        let stdout = output(
            cmd,
            "pgbench",
            Duration::from_secs(self.args.duration) + OVERRUN,
        )
        .await?;
        let tps = pgbench::tps(&stdout)?;
        let mut samples = LogSamples::default();
        for entry in std::fs::read_dir(&self.work)? {
            let entry = entry?;
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("pgbench-{tag}"))
            {
                samples.add(&std::fs::read_to_string(entry.path())?);
            }
        }
        let ok = samples.latencies.len() as u64;
        let s = Summary::of(samples.latencies).context("pgbench logged no transaction")?;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Ok(Line {
            what: format!("pgbench: the search SQL ({clients} clients)"),
            offered: rate,
            achieved: tps,
            ok,
            errors: samples.failed,
            pct: [ms(s.p50), ms(s.p95), ms(s.p99)],
        })
    }

    /// oha over the URL file for `seconds`: open loop at `rate`, or closed at max.
    async fn oha(&self, urls: &Path, rate: Option<u32>, seconds: u64) -> Result<OhaRun> {
        let mut cmd = Command::new(&self.oha);
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
        .arg(format!(
            "Authorization: Bearer {}",
            self.app.token(self.lawyer)
        ))
        .arg("--urls-from-file")
        .arg(urls);
        match rate {
            Some(r) => cmd
                .arg("-q")
                .arg(r.to_string())
                .arg("--latency-correction")
                .arg("-c")
                .arg(self.args.connections.to_string()),
            None => cmd.arg("-c").arg(self.args.max_connections.to_string()),
        };
        cmd.stderr(Stdio::piped());
        let stdout = output(cmd, "oha", Duration::from_secs(seconds) + OVERRUN).await?;
        oha::parse(&stdout)
    }
}

fn fmt_ms(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "-".to_owned()
    }
}

async fn run(args: Args) -> Result<bool> {
    if args.messages < 10_000 || args.matters < 2 || args.rate == 0 || args.duration == 0 {
        bail!("--messages ≥ 10000, --matters ≥ 2, --rate and --duration ≥ 1");
    }
    let oha_bin = find_oha(args.oha.clone())?;
    let pgbench_bin = find_pgbench(args.pgbench.clone())?;
    let (workers, pool) = (args.http_workers, args.pool);
    log(format!(
        "starting rbac + messages ({workers} HTTP workers, pool {pool}; fresh database)"
    ));
    let app = TestApp::spawn_with(&[lawos_svc_rbac::SPEC, lawos_svc_messages::SPEC], |c| {
        c.http_workers = workers;
        c.db_pool_size = pool;
    })
    .await;
    let firm = FirmId::new();
    let lawyer = lawos_testkit::api::assign(&app, firm, "LAWYER").await;
    let walled = format!("{MATTER_ID_PREFIX}{:012}", 1);
    let wall = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/rbac/resources/MATTER/{walled}/grants")))
        .bearer_auth(app.token(&lawos_testkit::api::firm_admin(firm)))
        .json(&json!({ "userId": lawyer.user_id, "action": "DENY", "reason": "bench wall" }))
        .send()
        .await?;
    if wall.status() != 201 {
        bail!(
            "the wall: {} {}",
            wall.status(),
            wall.text().await.unwrap_or_default()
        );
    }
    let t = Instant::now();
    log(format!(
        "seeding {} messages over {} matters",
        args.messages, args.matters
    ));
    seed(&app.db.admin_url(), firm, &lawyer, &args).await?;
    log(format!(
        "seeded, indexed and analysed in {:.0} s",
        t.elapsed().as_secs_f64()
    ));

    // Check: a term is found, with snippets, and the wall holds.
    let http = reqwest::Client::new();
    let probe: serde_json::Value = http
        .get(app.url("/api/v1/messages/search?q=docket001"))
        .bearer_auth(app.token(&lawyer))
        .send()
        .await?
        .json()
        .await?;
    let hits = probe["data"].as_array().map_or(0, Vec::len);
    let marked = probe["data"][0]["snippet"]
        .as_str()
        .is_some_and(|s| s.contains("<mark>docket001</mark>"));
    let leaked = probe["data"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|h| h["contextId"] == walled.as_str());
    if hits != 20 || !marked || leaked {
        bail!(
            "the probe search is wrong ({hits} hits, snippet marked: {marked}, walled hit: {leaked}): {probe}"
        );
    }

    let work = std::env::temp_dir().join(format!("messages-search-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work)?;
    let script = work.join("search.sql");
    std::fs::write(&script, pgbench_script(&walled))?;
    let urls = work.join("urls.txt");
    let base = app.url("/api/v1/messages/search?q=docket");
    std::fs::write(
        &urls,
        (0..TERMS)
            .map(|i| format!("{base}{i:03}\n"))
            .collect::<String>(),
    )?;
    let bench = Bench {
        args: &args,
        app: &app,
        lawyer: &lawyer,
        work: work.clone(),
        oha: oha_bin,
        pgbench: pgbench_bin,
    };

    let mut lines = Vec::new();
    log(format!("pgbench at max, {} s", args.duration));
    lines.push(bench.pgbench(&script, None).await?);
    log(format!("pgbench at {}/s, {} s", args.rate, args.duration));
    lines.push(bench.pgbench(&script, Some(args.rate)).await?);
    if args.warmup > 0 {
        bench.oha(&urls, Some(args.rate), args.warmup).await?;
    }
    log(format!(
        "oha at {}/s open loop, {} s",
        args.rate, args.duration
    ));
    let open = bench.oha(&urls, Some(args.rate), args.duration).await?;
    lines.push(of_oha(
        "GET /api/v1/messages/search?q=docket… (open loop)".to_owned(),
        Some(args.rate),
        &open,
    ));
    log(format!(
        "oha closed loop, -c {}, {} s",
        args.max_connections, args.duration
    ));
    let max = bench.oha(&urls, None, args.duration).await?;
    lines.push(of_oha(
        format!(
            "GET /api/v1/messages/search, max (-c {})",
            args.max_connections
        ),
        None,
        &max,
    ));
    let _ = std::fs::remove_dir_all(&work);

    let mut out = format!(
        "\nmessages-search: {} messages in one firm over {} matters; one of {TERMS} terms per search (~{} matches each); \
         LAWYER with one walled matter; load average at the end: {}\n\n{:<52} {:>9} {:>10} {:>7} {:>6} {:>8} {:>8} {:>8}\n",
        args.messages,
        args.matters,
        args.messages / 1000,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        "row",
        "offered/s",
        "achieved/s",
        "ok",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms"
    );
    let mut clean = true;
    for l in &lines {
        let offered = l
            .offered
            .map_or_else(|| "max".to_owned(), |r| r.to_string());
        let _ = writeln!(
            out,
            "{:<52} {offered:>9} {:>10.1} {:>7} {:>6} {:>8} {:>8} {:>8}",
            l.what,
            l.achieved,
            l.ok,
            l.errors,
            fmt_ms(l.pct[0]),
            fmt_ms(l.pct[1]),
            fmt_ms(l.pct[2])
        );
        clean &= l.ok > 0 && l.errors * 100 <= l.ok + l.errors;
    }
    print!("{out}");
    let share = 100.0 * max.achieved_per_s / lines[0].achieved;
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!(
        "\naim p99 ≤ 50 ms at {}/s open loop: p99 {} ms → {}",
        args.rate,
        fmt_ms(open.p99_ms),
        verdict(open.p99_ms <= 50.0)
    );
    println!(
        "aim ≥ 50 % of pgbench's rate: {:.1} / {:.1} = {share:.0} % → {}",
        max.achieved_per_s,
        lines[0].achieved,
        verdict(share >= 50.0)
    );
    if !clean {
        println!("FAILED: a row had more than 1 % errors (or no request at all)");
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bodies_pick_common_words_and_a_rare_term() {
        let sql = body_sql();
        assert!(sql.contains("w[1 + ((g * 3 + 1) % 100)]"));
        assert!(sql.contains("' docket' || lpad(((g / 10) % 100)::text, 3, '0')"));
        assert_eq!(WORDS.len(), 100);
    }

    #[test]
    fn the_pgbench_script_is_one_transaction_with_a_random_term() {
        let s = pgbench_script("00000000-0000-7000-8002-000000000001");
        assert!(s.starts_with("\\set w random(0, 99)\nBEGIN;\n"));
        assert!(s.contains("FROM messages.lawos_search_terms(websearch_to_tsquery('english', 'docket' || lpad(:w::text, 3, '0'))) \\gset\n"));
        assert!(s.contains("t.term = ANY(:lexemes::text[])"));
        assert!(s.contains("context_id <> ALL('{00000000-0000-7000-8002-000000000001}'::uuid[])"));
        assert!(s.ends_with("COMMIT;\n"));
    }
}
