//! `documents-load`: the documents service's upload and download paths at fixed
//! rates, beside the raw S3 PUT and GET of the same bytes on the same store.
//!
//! Starts rbac + contacts + matters + documents with the test kit (fresh
//! database; the bytes in the local S3 store, bucket `lawos-documents-bench`),
//! gives a LAWYER its role through rbac and creates one matter, then measures,
//! one after another, each after an uncounted warm-up at the same rate:
//!
//! 1. the raw S3 PUT of `--size` bytes to a URL presigned as the service
//!    presigns its uploads (length, type and SHA-256 signed), open loop at
//!    `--rate-create` from a driver in this program;
//! 2. create + complete: `POST /api/v1/documents/` → PUT to the presigned URL →
//!    `POST /{id}/versions/{versionId}/complete`, the same rate and driver (oha
//!    cannot chain requests), each latency from the iteration's due instant;
//! 3. the raw S3 GET of those objects (presigned), oha open loop at `--rate-get`;
//! 4. `GET /api/v1/documents/{id}` (metadata and a presigned GET), oha, the same rate.
//!
//! One table; a non-zero exit when a row had more than 1 % errors. Every object
//! the run wrote is deleted at the end. See bench/README.md.
#![allow(clippy::print_stdout)] // printing the table is the point

use std::fmt::Write as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use clap::Parser;
use lawos_bench::oha::{self, OhaRun};
use lawos_bench::schedule::Schedule;
use lawos_bench::stats::Summary;
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_storage::{ObjectStore, StaticCredentials, StorageConfig, hex_digest};
use lawos_svc_documents::DocumentsConfig;
use lawos_svc_documents::model::object_key;
use lawos_testkit::{TestApp, TestUser};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::process::Command;
use uuid::Uuid;

/// The oha release `cargo install` builds when none is found.
const OHA_VERSION: &str = "1.16.0";
const BUCKET: &str = "lawos-documents-bench";
const MIME: &str = "application/octet-stream";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Time between setting up a driver phase and its first due instant.
const LEAD: Duration = Duration::from_millis(200);
/// The baselines' presigned URLs stay valid for the whole run.
const BASELINE_URL_TTL: Duration = Duration::from_secs(3600);
/// A child process that runs this long past its planned duration is killed.
const OVERRUN: Duration = Duration::from_secs(60);
const MIB: usize = 1024 * 1024;

#[derive(Debug, Parser)]
#[command(
    name = "documents-load",
    about = "Upload (create + complete) and download URL of the documents service at fixed rates, \
             with the raw S3 PUT and GET of the same bytes as the baseline"
)]
struct Args {
    /// Bytes of every uploaded file
    #[arg(long, default_value_t = MIB)]
    size: usize,
    /// Create + complete iterations (and raw S3 PUTs) per second, open loop
    #[arg(long, default_value_t = 5)]
    rate_create: u32,
    /// GET /api/v1/documents/{id} (and raw S3 GETs) per second, open loop
    #[arg(long, default_value_t = 50)]
    rate_get: u32,
    /// Measured seconds of each row
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Seconds of warm-up before each row (same rate, not counted)
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Connections oha keeps for the GET rows (a request due while all are busy waits, and that wait counts)
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// HTTP workers of the server (the test kit's default is 1)
    #[arg(long, default_value_t = 2)]
    http_workers: usize,
    /// Database connections per service pool (the test kit's default is 4)
    #[arg(long, default_value_t = 16)]
    pool: usize,
    /// The oha binary (default: .lawos/tools/bin/oha, else on PATH, else built with cargo install)
    #[arg(long)]
    oha: Option<PathBuf>,
}

/// The local store, as the documents integration tests use it (LAWOS_S3_* override).
fn store_config() -> StorageConfig {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    StorageConfig {
        endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        region: env("LAWOS_S3_REGION", "us-east-1"),
        bucket: BUCKET.to_owned(),
        path_style: true,
        credentials: Some(StaticCredentials {
            access_key: env("LAWOS_S3_ACCESS_KEY", "lawos"),
            secret_key: env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        }),
    }
}

/// The settings of the documents integration tests.
fn documents_config() -> DocumentsConfig {
    DocumentsConfig {
        max_bytes: 5 * 1024 * 1024 * 1024,
        direct_max_bytes: 32 * 1024,
        upload_url_ttl: Duration::from_secs(300),
        download_url_ttl: Duration::from_secs(60),
        pending_after: Duration::from_secs(24 * 3600),
        retention: Duration::from_secs(30 * 86_400),
        job_interval: Duration::from_secs(3600),
        extract_interval: Duration::from_secs(5),
        extract_max_bytes: 20 * 1024 * 1024,
        ensure_bucket: false,
    }
}

fn mount(env: &ServiceEnv) -> Mount {
    lawos_svc_documents::mount_with(env, &store_config(), documents_config())
}

const DOCUMENTS: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_documents::SPEC
};

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("documents-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!("documents-load: {}", msg.as_ref());
}

fn size_label(size: usize) -> String {
    if size >= MIB && size.is_multiple_of(MIB) {
        format!("{} MiB", size / MIB)
    } else {
        format!("{size} B")
    }
}

async fn run(args: Args) -> Result<bool> {
    if args.size == 0 || args.duration == 0 || args.rate_create == 0 || args.rate_get == 0 {
        bail!("--size, --duration, --rate-create and --rate-get must be at least 1");
    }
    let oha_bin = ensure_oha(args.oha.clone()).await?;
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned());
    let store = ObjectStore::new(&store_config());
    store
        .ensure_bucket()
        .await
        .context("the S3 store must answer (scripts/infra.sh --with-s3)")?;
    log(format!(
        "starting rbac + contacts + matters + documents ({} HTTP workers, {} DB connections per service; fresh database)",
        args.http_workers, args.pool
    ));
    let (http_workers, pool) = (args.http_workers, args.pool);
    let app = TestApp::spawn_with(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_contacts::SPEC,
            lawos_svc_matters::SPEC,
            DOCUMENTS,
        ],
        |config| {
            config.http_workers = http_workers;
            config.db_pool_size = pool;
        },
    )
    .await;
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("HTTP client")?;
    let firm = FirmId::new();
    let lawyer = lawos_testkit::api::assign(&app, firm, "LAWYER").await;
    let matter = create_matter(&app, &http, &lawyer).await?;
    let bytes = Bytes::from((0..args.size).map(|i| (i % 251) as u8).collect::<Vec<u8>>());
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let work = std::env::temp_dir().join(format!("documents-load-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let bench = Bench {
        args: &args,
        app: &app,
        http,
        lawyer,
        firm,
        matter,
        store,
        bytes,
        sha256,
        oha: Oha {
            bin: &oha_bin,
            args: &args,
        },
        work: &work,
    };
    let result = bench.measure().await;
    match bench.clean_up().await {
        Ok(n) => log(format!("deleted the run's {n} objects")),
        Err(e) => log(format!("deleting the run's objects: {e:#}")),
    }
    let _ = std::fs::remove_dir_all(&work);
    let (lines, kept_checksum) = result?;
    let setup = format!(
        "setup: rbac + contacts + matters + documents in one process ({} HTTP workers, {} DB \
         connections per service); S3 store {} (bucket {BUCKET}; it {} the SHA-256 of the \
         presigned PUT, so complete {}); {} files of one pattern; driver rows: reqwest, open \
         loop, latency from each iteration's due instant; oha {OHA_VERSION} rows: -q, \
         --latency-correction, -c {}; warm-up {} s per row not counted; all on the same \
         2-core host; load average before: {load_average}",
        args.http_workers,
        args.pool,
        store_config().endpoint.unwrap_or_default(),
        if kept_checksum {
            "kept"
        } else {
            "did not keep"
        },
        if kept_checksum {
            "checks it with a HEAD"
        } else {
            "reads the object back to hash it"
        },
        size_label(args.size),
        args.connections,
        args.warmup,
    );
    let ok = print(&lines, &args, &setup);
    drop(app);
    Ok(ok)
}

async fn create_matter(app: &TestApp, http: &reqwest::Client, lawyer: &TestUser) -> Result<Uuid> {
    let res = http
        .post(app.url("/api/v1/matters/"))
        .bearer_auth(app.token(lawyer))
        .json(&json!({ "title": "Bench v. Load", "matterType": "CIVIL" }))
        .send()
        .await
        .context("creating the matter")?;
    let body = expect_json(res, 201, "POST /api/v1/matters/").await?;
    uuid_of(&body["id"], "the matter's id")
}

async fn expect_json(res: reqwest::Response, status: u16, what: &str) -> Result<Value> {
    let got = res.status();
    let text = res.text().await.with_context(|| format!("{what}: body"))?;
    if got.as_u16() != status {
        bail!("{what}: {got} {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("{what}: not JSON: {text}"))
}

fn uuid_of(v: &Value, what: &str) -> Result<Uuid> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("{what} is not a UUID: {v}"))
}

/// PUTs `body` to a presigned URL with its signed headers (the length is the body's).
async fn put(
    http: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Result<()> {
    let mut req = http.put(url);
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("content-length") {
            req = req.header(k.as_str(), v.as_str());
        }
    }
    let res = req.body(body).send().await.context("PUT to the store")?;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("PUT to the store: {status} {text}");
    }
    Ok(())
}

// --- the open-loop driver ----------------------------------------------------

/// One successful iteration: its steps' own durations, and the document and
/// version it made (create + complete).
struct Done {
    steps: Vec<Duration>,
    made: Option<(Uuid, Uuid)>,
}

#[derive(Default)]
struct Driven {
    /// Measured iterations: due instant → last answer.
    totals: Vec<Duration>,
    /// Measured iterations, per step.
    steps: Vec<Vec<Duration>>,
    errors: u64,
    achieved: f64,
    /// Every successful iteration, warm-up included.
    done: Vec<Done>,
}

/// Runs `job(i)` at each due instant of `schedule` (spawned: a slow one does
/// not delay the next), then waits for all of them.
async fn drive<F, Fut>(schedule: &Schedule, mut job: F) -> Result<Driven>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Done>> + Send + 'static,
{
    let start = Instant::now() + LEAD;
    let mut tasks = Vec::new();
    schedule
        .run(start, |i, due| {
            let fut = job(usize::try_from(i).unwrap_or(usize::MAX));
            tasks.push(tokio::spawn(async move {
                let result = fut.await;
                (due, Instant::now(), result)
            }));
        })
        .await;
    let mut driven = Driven::default();
    let mut failures = 0;
    let mut window: Option<(Instant, Instant)> = None;
    for (i, task) in tasks.into_iter().enumerate() {
        let (due, end, result) = task.await.context("a driver task")?;
        let measured = schedule.is_measured(i as u64);
        match result {
            Ok(done) => {
                if measured {
                    driven.totals.push(end.saturating_duration_since(due));
                    for (k, step) in done.steps.iter().enumerate() {
                        if driven.steps.len() <= k {
                            driven.steps.push(Vec::new());
                        }
                        driven.steps[k].push(*step);
                    }
                    window = Some(window.map_or((due, end), |(a, b)| (a.min(due), b.max(end))));
                }
                driven.done.push(done);
            }
            Err(e) => {
                if measured {
                    driven.errors += 1;
                }
                failures += 1;
                if failures <= 3 {
                    log(format!("iteration {i} failed: {e:#}"));
                }
            }
        }
    }
    if let Some((first, last)) = window {
        let seconds = last.saturating_duration_since(first).as_secs_f64();
        if seconds > 0.0 {
            driven.achieved = driven.totals.len() as f64 / seconds;
        }
    }
    Ok(driven)
}

/// Everything one iteration of create + complete needs.
struct Flow {
    http: reqwest::Client,
    documents: String,
    token: String,
    body: Value,
    bytes: Bytes,
}

impl Flow {
    async fn once(&self, i: usize) -> Result<Done> {
        let t0 = Instant::now();
        let mut body = self.body.clone();
        body["fileName"] = json!(format!("Exhibit {i}.bin"));
        let res = self
            .http
            .post(&self.documents)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .context("POST /api/v1/documents/")?;
        let started = expect_json(res, 201, "POST /api/v1/documents/").await?;
        let t1 = Instant::now();
        let upload = &started["upload"];
        let url = upload["url"].as_str().context("no upload.url")?;
        let headers: Vec<(String, String)> = upload["headers"]
            .as_object()
            .context("no upload.headers")?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        put(&self.http, url, &headers, self.bytes.clone()).await?;
        let t2 = Instant::now();
        let doc = uuid_of(&started["document"]["id"], "document.id")?;
        let version = uuid_of(&started["version"]["id"], "version.id")?;
        let res = self
            .http
            .post(format!(
                "{}{doc}/versions/{version}/complete",
                self.documents
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .context("POST …/complete")?;
        let done = expect_json(res, 200, "POST …/complete").await?;
        if done["status"] != "AVAILABLE" {
            bail!("completed, but the document is {}", done["status"]);
        }
        let t3 = Instant::now();
        Ok(Done {
            steps: vec![t1 - t0, t2 - t1, t3 - t2],
            made: Some((doc, version)),
        })
    }
}

// --- the phases --------------------------------------------------------------

struct Bench<'a> {
    args: &'a Args,
    app: &'a TestApp,
    http: reqwest::Client,
    lawyer: TestUser,
    firm: FirmId,
    matter: Uuid,
    store: ObjectStore,
    bytes: Bytes,
    sha256: [u8; 32],
    oha: Oha<'a>,
    work: &'a Path,
}

impl Bench<'_> {
    fn schedule(&self, rate: u32) -> Schedule {
        Schedule {
            rate,
            warmup: Duration::from_secs(self.args.warmup),
            duration: Duration::from_secs(self.args.duration),
        }
    }

    /// The table's lines, and whether the store kept the uploads' SHA-256.
    async fn measure(&self) -> Result<(Vec<Line>, bool)> {
        let size = size_label(self.args.size);
        let (rate_create, rate_get) = (self.args.rate_create, self.args.rate_get);
        let mut lines = Vec::new();

        log(format!("S3 PUT of {size} at {rate_create}/s"));
        let raw = self.raw_puts().await?;
        lines.push(Line::driven(
            format!("S3 PUT {size}, presigned (baseline)"),
            rate_create,
            &raw,
            Some(0),
        ));

        log(format!("create + complete of {size} at {rate_create}/s"));
        let flow = self.flows().await?;
        lines.push(Line::driven(
            format!("create + complete {size} (POST → PUT → complete)"),
            rate_create,
            &flow,
            Some(0),
        ));
        let steps = [
            "  of which POST /documents/ (presigned PUT)",
            "  of which PUT to the presigned URL",
            "  of which POST …/versions/{versionId}/complete",
        ];
        for (k, label) in steps.iter().enumerate() {
            lines.push(Line::step(
                label,
                rate_create,
                flow.steps.get(k).cloned().unwrap_or_default(),
            ));
        }

        let made: Vec<(Uuid, Uuid)> = flow.done.iter().filter_map(|d| d.made).collect();
        let &(first_doc, first_version) = made.first().context("no document was completed")?;
        let kept_checksum = self
            .store
            .head(&object_key(self.firm.0, first_doc, first_version))
            .await
            .context("HEAD of an uploaded object")?
            .is_some_and(|h| h.sha256.is_some());

        let mut s3_urls = String::new();
        for &(doc, version) in &made {
            let key = object_key(self.firm.0, doc, version);
            let get = self
                .store
                .presign_get(&key, BASELINE_URL_TTL, None, None)
                .await
                .context("presigning a GET")?;
            let _ = writeln!(s3_urls, "{}", get.url);
        }
        let s3_file = self.work.join("s3-get-urls.txt");
        std::fs::write(&s3_file, s3_urls).context("writing the S3 URL file")?;
        let run = self
            .oha
            .open(&s3_file, None, rate_get, "S3 GET", made.len())
            .await?;
        let base = lines.len();
        lines.push(Line::oha(
            format!("S3 GET {size}, presigned (baseline)"),
            rate_get,
            &run,
            Some(base),
        ));

        let documents = self.app.url("/api/v1/documents/");
        let doc_urls: String = made
            .iter()
            .map(|(doc, _)| format!("{documents}{doc}\n"))
            .collect();
        let doc_file = self.work.join("document-urls.txt");
        std::fs::write(&doc_file, doc_urls).context("writing the document URL file")?;
        let token = self.app.token(&self.lawyer);
        let run = self
            .oha
            .open(&doc_file, Some(&token), rate_get, "GET /{id}", made.len())
            .await?;
        lines.push(Line::oha(
            "GET /documents/{id} (metadata + presigned GET)".to_owned(),
            rate_get,
            &run,
            Some(base),
        ));
        Ok((lines, kept_checksum))
    }

    /// Raw PUTs, each to a new key of the service's shape, presigned beforehand
    /// with the service's signed headers (length, type, SHA-256).
    async fn raw_puts(&self) -> Result<Driven> {
        let schedule = self.schedule(self.args.rate_create);
        let mut presigned = Vec::new();
        for _ in 0..schedule.total() {
            let key = object_key(self.firm.0, Uuid::now_v7(), Uuid::now_v7());
            let p = self
                .store
                .presign_put(
                    &key,
                    BASELINE_URL_TTL,
                    self.bytes.len() as u64,
                    MIME,
                    Some(&self.sha256),
                )
                .await
                .context("presigning a PUT")?;
            presigned.push((p.url, p.headers));
        }
        let presigned = Arc::new(presigned);
        drive(&schedule, |i| {
            let (http, bytes, presigned) =
                (self.http.clone(), self.bytes.clone(), presigned.clone());
            async move {
                let (url, headers) = presigned.get(i).context("no presigned PUT")?;
                let t0 = Instant::now();
                put(&http, url, headers, bytes).await?;
                Ok(Done {
                    steps: vec![t0.elapsed()],
                    made: None,
                })
            }
        })
        .await
    }

    async fn flows(&self) -> Result<Driven> {
        let flow = Arc::new(Flow {
            http: self.http.clone(),
            documents: self.app.url("/api/v1/documents/"),
            token: self.app.token(&self.lawyer),
            body: json!({
                "resourceType": "MATTER",
                "resourceId": self.matter,
                "category": "EVIDENCE",
                "fileName": "Exhibit.bin",
                "mimeType": MIME,
                "fileSize": self.bytes.len(),
                "sha256": hex_digest(&self.sha256),
                "tags": ["bench"],
            }),
            bytes: self.bytes.clone(),
        });
        drive(&self.schedule(self.args.rate_create), |i| {
            let flow = flow.clone();
            async move { flow.once(i).await }
        })
        .await
    }

    /// Deletes every object under the bench firm's prefix (baselines and documents).
    async fn clean_up(&self) -> Result<usize> {
        let prefix = format!("{}/", self.firm.0);
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .store
                .client()
                .list_objects_v2()
                .bucket(BUCKET)
                .prefix(&prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .context("listing the run's objects")?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        for key in &keys {
            self.store.delete(key).await.context("deleting an object")?;
        }
        Ok(keys.len())
    }
}

// --- oha ---------------------------------------------------------------------

struct Oha<'a> {
    bin: &'a Path,
    args: &'a Args,
}

impl Oha<'_> {
    fn command(&self, urls: &Path, bearer: Option<&str>, rate: u32, seconds: u64) -> Command {
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
        .arg("-q")
        .arg(rate.to_string())
        .arg("--latency-correction")
        .arg("-c")
        .arg(self.args.connections.to_string());
        if let Some(token) = bearer {
            cmd.arg("-H").arg(format!("Authorization: Bearer {token}"));
        }
        cmd.arg("--urls-from-file").arg(urls);
        cmd
    }

    async fn go(&self, cmd: Command, what: &str, seconds: u64) -> Result<OhaRun> {
        let budget = Duration::from_secs(seconds) + OVERRUN;
        let stdout = output(cmd, &format!("oha ({what})"), budget).await?;
        oha::parse(&stdout).with_context(|| format!("oha ({what})"))
    }

    /// Open loop at `rate` over the URLs of `urls` (one at random per request):
    /// a warm-up run, then the measured one.
    async fn open(
        &self,
        urls: &Path,
        bearer: Option<&str>,
        rate: u32,
        what: &str,
        count: usize,
    ) -> Result<OhaRun> {
        let (warmup, duration) = (self.args.warmup, self.args.duration);
        if warmup > 0 {
            log(format!("oha: {what} warm-up, {warmup} s"));
            self.go(self.command(urls, bearer, rate, warmup), what, warmup)
                .await?;
        }
        log(format!(
            "oha: {what} at {rate}/s open loop over {count} objects, {duration} s"
        ));
        self.go(self.command(urls, bearer, rate, duration), what, duration)
            .await
    }
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

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// oha: the given path, `.lawos/tools/bin/oha`, on PATH, or built from crates.io
/// into `.lawos/tools` (as matters-load does) unless `LAWOS_INFRA_INSTALL=never`.
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
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("oha"))
            .find(|p| p.is_file())
    });
    if let Some(p) = on_path {
        return Ok(p);
    }
    let install = format!("cargo install oha --version {OHA_VERSION} --locked --root .lawos/tools");
    if std::env::var("LAWOS_INFRA_INSTALL").as_deref() == Ok("never") {
        bail!("oha is not installed and LAWOS_INFRA_INSTALL=never: `{install}`, or pass --oha");
    }
    log(format!(
        "building oha {OHA_VERSION} into .lawos/tools (first time only)"
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
        .kill_on_drop(true)
        .status()
        .await
        .context("running cargo install oha")?;
    if !status.success() || !local.is_file() {
        bail!("`{install}` failed ({status}): fix that, or pass --oha <path>");
    }
    Ok(local)
}

// --- the table ---------------------------------------------------------------

/// One line of the table.
struct Line {
    label: String,
    offered: u32,
    /// `None`: a step inside an iteration (its own duration, not from the due instant).
    achieved: Option<f64>,
    ok: u64,
    errors: u64,
    /// p50, p95, p99 in ms.
    pct: [f64; 3],
    /// The line whose percentiles the ratio columns divide by.
    base: Option<usize>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pct_of(samples: Vec<Duration>) -> [f64; 3] {
    Summary::of(samples).map_or([f64::NAN; 3], |s| s.percentiles().map(ms))
}

impl Line {
    fn driven(label: String, offered: u32, d: &Driven, base: Option<usize>) -> Self {
        Self {
            label,
            offered,
            achieved: Some(d.achieved),
            ok: d.totals.len() as u64,
            errors: d.errors,
            pct: pct_of(d.totals.clone()),
            base,
        }
    }

    fn step(label: &str, offered: u32, samples: Vec<Duration>) -> Self {
        Self {
            label: label.to_owned(),
            offered,
            achieved: None,
            ok: samples.len() as u64,
            errors: 0,
            pct: pct_of(samples),
            base: None,
        }
    }

    fn oha(label: String, offered: u32, run: &OhaRun, base: Option<usize>) -> Self {
        Self {
            label,
            offered,
            achieved: Some(run.achieved_per_s),
            ok: run.ok,
            errors: run.errors,
            pct: [run.p50_ms, run.p95_ms, run.p99_ms],
            base,
        }
    }
}

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

/// Prints the table; answers whether every row had ≤ 1 % errors (and any success).
fn print(lines: &[Line], args: &Args, setup: &str) -> bool {
    let width = lines
        .iter()
        .map(|l| l.label.chars().count())
        .max()
        .unwrap_or(10);
    let mut out = format!(
        "{:<width$} {:>9} {:>10} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        "row",
        "offered/s",
        "achieved/s",
        "ok",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "×S3 p50",
        "×S3 p95",
        "×S3 p99",
    );
    let mut ok = true;
    for l in lines {
        let achieved = l.achieved.map_or_else(String::new, |a| format!("{a:.1}"));
        let _ = write!(
            out,
            "{:<width$} {:>9} {achieved:>10} {:>6} {:>6} {:>8} {:>8} {:>8}",
            l.label,
            l.offered,
            l.ok,
            l.errors,
            fmt_ms(l.pct[0]),
            fmt_ms(l.pct[1]),
            fmt_ms(l.pct[2]),
        );
        if let Some(base) = l.base.and_then(|b| lines.get(b)) {
            for (v, b) in l.pct.iter().zip(base.pct) {
                let _ = write!(out, " {:>8}", fmt_ratio(*v, b));
            }
        }
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
        "×S3 p50/p95/p99: the row's percentile over the same percentile of the raw S3 \
         operation of its group, measured the same way at the same rate (PUT at {}/s, \
         GET at {}/s). Rows at the due instant: from the instant the iteration or request \
         was due (a stall counts). \"of which\" rows: each step's own duration. \
         Percentiles: nearest rank for driver rows, oha's for oha rows.",
        args.rate_create, args.rate_get
    );
    if !ok {
        println!("FAILED: a row had more than 1 % errors (or no request at all)");
    }
    ok
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sizes_are_labelled_in_mib_when_whole() {
        assert_eq!(size_label(MIB), "1 MiB");
        assert_eq!(size_label(3 * MIB), "3 MiB");
        assert_eq!(size_label(1000), "1000 B");
        assert_eq!(size_label(MIB + 1), "1048577 B");
    }

    #[test]
    fn ratios_need_a_finite_positive_base() {
        assert_eq!(fmt_ratio(30.0, 10.0), "3.0x");
        assert_eq!(fmt_ratio(30.0, 0.0), "-");
        assert_eq!(fmt_ratio(f64::NAN, 1.0), "-");
    }

    #[tokio::test]
    async fn the_driver_counts_measured_iterations_only_and_their_errors() {
        let schedule = Schedule {
            rate: 200,
            warmup: Duration::from_millis(50),
            duration: Duration::from_millis(100),
        };
        // 10 warm-up iterations, 20 measured; every fifth fails.
        let driven = drive(&schedule, |i| async move {
            if i % 5 == 4 {
                bail!("refused");
            }
            Ok(Done {
                steps: vec![Duration::from_millis(1), Duration::from_millis(2)],
                made: None,
            })
        })
        .await
        .unwrap();
        assert_eq!(driven.totals.len(), 16);
        assert_eq!(driven.errors, 4);
        assert_eq!(driven.done.len(), 24);
        assert_eq!(driven.steps.len(), 2);
        assert_eq!(driven.steps[1].len(), 16);
        assert!(driven.achieved > 0.0);
    }

    #[test]
    fn a_row_over_one_percent_errors_fails_the_run() {
        let line = |ok, errors| Line {
            label: "x".to_owned(),
            offered: 1,
            achieved: Some(1.0),
            ok,
            errors,
            pct: [1.0, 2.0, 3.0],
            base: Some(0),
        };
        let args = Args::parse_from(["documents-load"]);
        assert!(print(&[line(100, 1)], &args, "setup"));
        assert!(!print(&[line(100, 2)], &args, "setup"));
        assert!(!print(&[line(0, 0)], &args, "setup"));
    }
}
