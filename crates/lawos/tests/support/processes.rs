//! Runs LawOS services as separate processes, each from its own binary, the way
//! `scripts/deploy-local.sh` and the Kubernetes manifests do: one database (a
//! fresh `lawos_e2e_<uuid>`, dropped `WITH (FORCE)` afterwards), one Redis
//! prefix and one RabbitMQ vhost for the whole deployment, `lawos-<svc> migrate`
//! for each service in phase order, a `client_credentials` service account per
//! service (`lawos-auth create-service-account`), then `lawos-<svc> serve` on a
//! free 127.0.0.1 port, phase by phase, each phase once the previous one's
//! `/readyz` answers 200.
//!
//! Everything is torn down on drop, also when an assertion fails: the children
//! are killed first, then the vhost and the database are deleted. Each child's
//! stdout and stderr go to `<CARGO_TARGET_TMPDIR>/multi_process-<run>/<svc>.log`
//! (kept when the test fails, removed when it passes).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use lawos_db::testdb::DEV_APP_PASSWORD;
use lawos_testkit::broker::TestVhost;

/// How long `cargo build` of the service binaries may take (a cold build on a
/// small machine, other builds holding the lock).
const BUILD_TIMEOUT: Duration = Duration::from_secs(900);
/// How long one `migrate` or `create-service-account` may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a service may take to answer `/readyz` with 200 after it starts.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of a process's log quoted in a failure.
const TAIL_LINES: usize = 40;

/// A service of the deployment: its name (binary `lawos-<name>`, package
/// `lawos-svc-<name>`) and its phase (ARCHITECTURE §1).
#[derive(Debug, Clone, Copy)]
pub struct Service {
    pub name: &'static str,
    pub phase: u8,
}

/// The last `n` lines of `path` (or why it cannot be read).
pub fn tail(path: &Path, n: usize) -> String {
    match File::open(path) {
        Ok(file) => {
            let lines: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
            let start = lines.len().saturating_sub(n);
            lines[start..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

fn random_base64(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Runs `cmd` to completion within `timeout` (killed after it), its output in `log`.
fn run_bounded(mut cmd: Command, what: &str, log: &Path, timeout: Duration) -> ExitStatus {
    let out = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| panic!("clone {}: {e}", log.display()));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{what} did not finish within {}s; the last lines of {}:\n{}",
                    timeout.as_secs(),
                    log.display(),
                    tail(log, TAIL_LINES)
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// The directory holding the workspace's binaries of this test's profile
/// (`target/<profile>`): where `CARGO_BIN_EXE_lawos` is.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_lawos"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("CARGO_BIN_EXE_lawos has no parent directory"))
}

/// Makes sure `lawos-<svc>` of every service is built and current: one
/// `cargo build -p lawos-svc-<svc> --bin lawos-<svc> …` into this test's target
/// directory and profile (a no-op after `cargo nextest run --workspace`, which
/// builds every binary). `LAWOS_E2E_BUILD=never` skips it and uses what is there.
pub fn ensure_binaries(services: &[Service], logs: &Path) -> BTreeMap<&'static str, PathBuf> {
    let dir = bin_dir();
    let binaries: BTreeMap<&'static str, PathBuf> = services
        .iter()
        .map(|s| (s.name, dir.join(format!("lawos-{}", s.name))))
        .collect();
    if std::env::var("LAWOS_E2E_BUILD").as_deref() != Ok("never") {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&workspace).arg("build").arg("--quiet");
        match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => {}
            Some("release") => {
                cmd.arg("--release");
            }
            Some(profile) => {
                cmd.args(["--profile", profile]);
            }
            None => panic!("unexpected binary directory {}", dir.display()),
        }
        if let Some(target) = dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        for s in services {
            cmd.args(["-p", &format!("lawos-svc-{}", s.name)])
                .args(["--bin", &format!("lawos-{}", s.name)]);
        }
        let log = logs.join("cargo-build.log");
        let started = Instant::now();
        let status = run_bounded(cmd, "cargo build (service binaries)", &log, BUILD_TIMEOUT);
        assert!(
            status.success(),
            "cargo build of the service binaries failed ({status}); the last lines of {}:\n{}",
            log.display(),
            tail(&log, TAIL_LINES)
        );
        eprintln!(
            "e2e: service binaries current ({:.1}s)",
            started.elapsed().as_secs_f64()
        );
    }
    for (name, path) in &binaries {
        assert!(
            path.is_file(),
            "{} is missing: build it with cargo build -p lawos-svc-{name} --bin lawos-{name}",
            path.display()
        );
    }
    binaries
}

/// A database for one run, `lawos_e2e_<uuid>`, dropped `WITH (FORCE)` on drop.
pub struct E2eDatabase {
    pub name: String,
    server: url::Url,
}

fn with_db(server: &url::Url, db: &str) -> String {
    let mut u = server.clone();
    u.set_path(&format!("/{db}"));
    u.to_string()
}

impl E2eDatabase {
    pub async fn create() -> Self {
        let raw = std::env::var("LAWOS_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let server = url::Url::parse(&raw)
            .unwrap_or_else(|e| panic!("LAWOS_TEST_DATABASE_URL is not a URL: {e}"));
        let name = format!("lawos_e2e_{}", uuid::Uuid::now_v7().simple());
        let mut admin = tokio::time::timeout(
            Duration::from_secs(10),
            AsyncPgConnection::establish(&with_db(&server, "postgres")),
        )
        .await
        .unwrap_or_else(|_| panic!("PostgreSQL at {raw} did not answer within 10 s"))
        .unwrap_or_else(|e| panic!("connect to PostgreSQL at {raw}: {e}"));
        admin
            .batch_execute(&format!(r#"CREATE DATABASE "{name}""#))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        Self { name, server }
    }

    /// The owner (migration) connection the services get as `LAWOS_DATABASE_URL`.
    pub fn admin_url(&self) -> String {
        with_db(&self.server, &self.name)
    }
}

impl Drop for E2eDatabase {
    fn drop(&mut self) {
        let admin_url = with_db(&self.server, "postgres");
        let name = self.name.clone();
        // Drop may run inside the test's runtime: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return false;
            };
            rt.block_on(async move {
                let Ok(Ok(mut conn)) = tokio::time::timeout(
                    Duration::from_secs(10),
                    AsyncPgConnection::establish(&admin_url),
                )
                .await
                else {
                    return false;
                };
                conn.batch_execute(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                    .await
                    .is_ok()
            })
        })
        .join()
        .unwrap_or(false);
        if !dropped {
            eprintln!(
                "e2e: could not drop database {}; drop it by hand",
                self.name
            );
        }
    }
}

/// A running `lawos-<svc> serve`; killed (and reaped) on drop.
pub struct Running {
    pub service: Service,
    pub port: u16,
    pub log: PathBuf,
    child: Child,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every service of the run as its own process, and what they share.
///
/// Field order is drop order: the processes stop before the vhost and the
/// database they use are deleted.
pub struct Deployment {
    processes: Vec<Running>,
    vhost: TestVhost,
    db: E2eDatabase,
    pub logs: PathBuf,
    pub ports: BTreeMap<&'static str, u16>,
    pub admin_email: String,
    pub admin_password: String,
    common_env: Vec<(String, String)>,
    /// `LAWOS_AUTH_MASTER_KEY` and `LAWOS_PII_KEY`: random per run (base64 of 32 bytes).
    master_key: String,
    pii_key: String,
    secrets: BTreeMap<&'static str, String>,
    binaries: BTreeMap<&'static str, PathBuf>,
    keep_logs: bool,
}

impl Deployment {
    /// Builds (if needed) and prepares `services`: a database, a vhost, ports,
    /// the shared settings. Nothing runs yet; see [`Deployment::start`].
    pub async fn prepare(services: &[Service]) -> Self {
        let run = uuid::Uuid::now_v7().simple().to_string();
        let logs = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("multi_process-{run}"));
        std::fs::create_dir_all(&logs).unwrap_or_else(|e| panic!("create {}: {e}", logs.display()));
        let for_build = services.to_vec();
        let logs_for_build = logs.clone();
        let binaries =
            tokio::task::spawn_blocking(move || ensure_binaries(&for_build, &logs_for_build))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        let db = E2eDatabase::create().await;
        let vhost = tokio::time::timeout(Duration::from_secs(30), TestVhost::create())
            .await
            .unwrap_or_else(|_| panic!("rabbitmqctl add_vhost did not finish within 30 s"));
        let ports: BTreeMap<&'static str, u16> =
            services.iter().map(|s| (s.name, free_port())).collect();
        let url = |svc: &str| {
            ports
                .get(svc)
                .map(|p| format!("http://127.0.0.1:{p}"))
                .unwrap_or_else(|| panic!("{svc} is not part of this deployment"))
        };
        let issuer = url("auth");
        let admin_email = format!("admin-{}@e2e.lawos.test", &run[run.len() - 8..]);
        let admin_password = format!("e2e-{}", random_base64(18));
        // What every service gets (OPERATIONS §1: the lawos-config ConfigMap and the
        // lawos-secrets Secret), pointing at this run's processes and infrastructure.
        let common_env: Vec<(String, String)> = [
            ("LAWOS_DATABASE_URL", db.admin_url()),
            ("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD.to_owned()),
            ("LAWOS_DB_POOL_SIZE", "4".to_owned()),
            (
                "LAWOS_REDIS_URL",
                std::env::var("LAWOS_TEST_REDIS_URL")
                    .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned()),
            ),
            ("LAWOS_REDIS_PREFIX", format!("e2e:{run}")),
            ("LAWOS_AMQP_URL", vhost.amqp_url()),
            ("LAWOS_JWT_ISSUER", issuer.clone()),
            ("LAWOS_JWT_AUDIENCE", "lawos".to_owned()),
            ("LAWOS_JWKS_URL", format!("{issuer}/.well-known/jwks.json")),
            ("LAWOS_TOKEN_URL", format!("{issuer}/oauth/token")),
            ("LAWOS_CURSOR_KEY", random_base64(32)),
            ("LAWOS_HTTP_WORKERS", "1".to_owned()),
            ("LAWOS_LOG_FORMAT", "json".to_owned()),
            ("RUST_LOG", "info".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        // Each service of the deployment at its own address (`LAWOS_<SERVICE>_URL`).
        .chain(services.iter().filter(|s| s.name != "auth").map(|s| {
            (
                format!("LAWOS_{}_URL", s.name.to_ascii_uppercase()),
                url(s.name),
            )
        }))
        .collect();
        Self {
            processes: Vec::new(),
            vhost,
            db,
            logs,
            ports,
            admin_email,
            admin_password,
            common_env,
            master_key: random_base64(32),
            pii_key: random_base64(32),
            secrets: BTreeMap::new(),
            binaries,
            keep_logs: false,
        }
    }

    pub fn url(&self, service: &str) -> String {
        self.ports
            .get(service)
            .map(|p| format!("http://127.0.0.1:{p}"))
            .unwrap_or_else(|| panic!("{service} is not part of this deployment"))
    }

    pub fn amqp_url(&self) -> String {
        self.vhost.amqp_url()
    }

    pub fn database(&self) -> &str {
        &self.db.name
    }

    /// `lawos-<service> <args>` with exactly the settings a deployment gives
    /// that service (nothing inherited from the test's environment).
    fn command(&self, service: &str, args: &[&str]) -> Command {
        let binary = self
            .binaries
            .get(service)
            .unwrap_or_else(|| panic!("no binary for {service}"));
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .args(args)
            .envs(self.common_env.iter().cloned());
        if let Some(secret) = self.secrets.get(service) {
            cmd.env("LAWOS_SERVICE_CLIENT_SECRET", secret);
        }
        match service {
            "auth" => {
                cmd.env("LAWOS_AUTH_MASTER_KEY", &self.master_key)
                    .env("LAWOS_ADMIN_EMAIL", &self.admin_email)
                    .env("LAWOS_ADMIN_PASSWORD", &self.admin_password);
            }
            "contacts" => {
                cmd.env("LAWOS_PII_KEY", &self.pii_key);
            }
            // The S3 store `make test` starts (scripts/infra.sh --with-s3),
            // each service's bucket made when missing.
            "documents" | "billing" => {
                cmd.envs(lawos_testkit::binary::s3_env())
                    .env("LAWOS_DOCUMENTS_ENSURE_BUCKET", "true");
            }
            // No SMTP server: mail is written beside the logs.
            "notifications" => {
                cmd.env("LAWOS_MAIL_DIR", self.logs.join("mail"));
            }
            _ => {}
        }
        cmd
    }

    /// `lawos-<svc> migrate` for each service, in the order given (phase order).
    pub async fn migrate(&self, services: &[Service]) {
        for s in services {
            let started = Instant::now();
            let cmd = self.command(s.name, &["migrate"]);
            let log = self.logs.join(format!("migrate-{}.log", s.name));
            let what = format!("lawos-{} migrate", s.name);
            let status = {
                let (what, log) = (what.clone(), log.clone());
                tokio::task::spawn_blocking(move || run_bounded(cmd, &what, &log, COMMAND_TIMEOUT))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            };
            assert!(
                status.success(),
                "{what} failed ({status}); the last lines of {}:\n{}",
                log.display(),
                tail(&log, TAIL_LINES)
            );
            eprintln!("e2e: {what} ({:.1}s)", started.elapsed().as_secs_f64());
        }
    }

    /// `lawos-auth create-service-account <svc>` for each service (client id
    /// `lawos-<svc>`); the printed secret becomes its `LAWOS_SERVICE_CLIENT_SECRET`.
    pub async fn create_service_accounts(&mut self, services: &[Service]) {
        for s in services {
            let cmd = self.command("auth", &["create-service-account", s.name]);
            let log = self.logs.join(format!("service-account-{}.log", s.name));
            let what = format!("lawos-auth create-service-account {}", s.name);
            let status = {
                let (what, log) = (what.clone(), log.clone());
                tokio::task::spawn_blocking(move || run_bounded(cmd, &what, &log, COMMAND_TIMEOUT))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            };
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(status.success(), "{what} failed ({status}):\n{output}");
            let client_id = output
                .lines()
                .find_map(|l| l.strip_prefix("client_id="))
                .unwrap_or_default();
            assert_eq!(client_id, format!("lawos-{}", s.name), "{what}:\n{output}");
            let secret = output
                .lines()
                .find_map(|l| l.strip_prefix("client_secret="))
                .unwrap_or_else(|| panic!("{what} printed no client_secret:\n{output}"))
                .trim()
                .to_owned();
            // The log would otherwise keep the secret.
            let _ = std::fs::write(&log, format!("client_id={client_id}\n(secret elided)\n"));
            self.secrets.insert(s.name, secret);
        }
    }

    /// Starts `services` phase by phase: a phase's processes together, then
    /// waits until each answers `GET /readyz` with 200 before the next phase.
    pub async fn start(&mut self, services: &[Service]) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_else(|e| panic!("http client: {e}"));
        let mut phases: Vec<u8> = services.iter().map(|s| s.phase).collect();
        phases.dedup();
        for phase in phases {
            let started = Instant::now();
            let first = self.processes.len();
            for s in services.iter().filter(|s| s.phase == phase) {
                self.spawn(*s);
            }
            for i in first..self.processes.len() {
                self.wait_ready(&http, i).await;
            }
            let names: Vec<&str> = self.processes[first..]
                .iter()
                .map(|p| p.service.name)
                .collect();
            eprintln!(
                "e2e: phase {phase} ready ({:.1}s): {}",
                started.elapsed().as_secs_f64(),
                names.join(", ")
            );
        }
    }

    fn spawn(&mut self, service: Service) {
        let port = self.ports[service.name];
        let log = self.logs.join(format!("{}.log", service.name));
        let out = File::create(&log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("clone {}: {e}", log.display()));
        let child = self
            .command(service.name, &["serve"])
            .env("LAWOS_HTTP_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start lawos-{} serve: {e}", service.name));
        self.processes.push(Running {
            service,
            port,
            log,
            child,
        });
    }

    async fn wait_ready(&mut self, http: &reqwest::Client, index: usize) {
        let started = Instant::now();
        let mut last: String;
        loop {
            let url = format!("{}/readyz", self.processes[index].url());
            match http.get(&url).send().await {
                Ok(res) if res.status() == 200 => return,
                Ok(res) => {
                    let status = res.status();
                    last = format!("{status}: {}", res.text().await.unwrap_or_default());
                }
                Err(e) => last = e.to_string(),
            }
            let p = &mut self.processes[index];
            if let Some(status) = p.exited() {
                self.keep_logs = true;
                let p = &self.processes[index];
                panic!(
                    "lawos-{} exited ({status}) before /readyz answered 200; the last lines of {}:\n{}",
                    p.service.name,
                    p.log.display(),
                    tail(&p.log, TAIL_LINES)
                );
            }
            if started.elapsed() > READY_TIMEOUT {
                self.keep_logs = true;
                let p = &self.processes[index];
                panic!(
                    "lawos-{} on :{} did not answer /readyz with 200 within {}s (last: {last}); \
                     the last lines of {}:\n{}",
                    p.service.name,
                    p.port,
                    READY_TIMEOUT.as_secs(),
                    p.log.display(),
                    tail(&p.log, TAIL_LINES)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until `queue` is declared in this run's vhost: events published
    /// before a consumer's queue is bound to the exchange are routed nowhere.
    pub async fn wait_for_queue(&self, queue: &str, within: Duration) {
        use lapin::options::QueueDeclareOptions;
        use lapin::types::FieldTable;
        let amqp = tokio::time::timeout(
            Duration::from_secs(10),
            lapin::Connection::connect(&self.amqp_url(), lapin::ConnectionProperties::default()),
        )
        .await
        .unwrap_or_else(|_| panic!("RabbitMQ did not answer within 10 s"))
        .unwrap_or_else(|e| panic!("connect to RabbitMQ: {e}"));
        let started = Instant::now();
        loop {
            // A failed passive declare closes the channel: a new one each time.
            let declared = match amqp.create_channel().await {
                Ok(ch) => ch
                    .queue_declare(
                        queue.into(),
                        QueueDeclareOptions {
                            passive: true,
                            ..Default::default()
                        },
                        FieldTable::default(),
                    )
                    .await
                    .is_ok(),
                Err(_) => false,
            };
            if declared {
                break;
            }
            assert!(
                started.elapsed() < within,
                "the queue {queue} was not declared within {}s; {}",
                within.as_secs(),
                self.diagnostics()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = amqp.close(0, "ready".into()).await;
    }

    /// Panics naming any process that is no longer running.
    pub fn assert_all_running(&mut self) {
        let mut dead = Vec::new();
        for p in &mut self.processes {
            if let Some(status) = p.exited() {
                dead.push(format!(
                    "lawos-{} exited ({status}); the last lines of {}:\n{}",
                    p.service.name,
                    p.log.display(),
                    tail(&p.log, TAIL_LINES)
                ));
            }
        }
        if !dead.is_empty() {
            self.keep_logs = true;
            panic!("{}", dead.join("\n\n"));
        }
    }

    /// The lines of `service`'s log (its stdout and stderr) so far.
    pub fn log_lines(&self, service: &str) -> Vec<String> {
        let p = self
            .processes
            .iter()
            .find(|p| p.service.name == service)
            .unwrap_or_else(|| panic!("{service} is not running"));
        std::fs::read_to_string(&p.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The processes' pids, for the report of a run.
    pub fn pids(&self) -> Vec<(&'static str, u32)> {
        self.processes
            .iter()
            .map(|p| (p.service.name, p.child.id()))
            .collect()
    }

    /// Where to look when something fails: each process's state and last log lines.
    pub fn diagnostics(&self) -> String {
        let mut out = format!("logs in {}", self.logs.display());
        for p in &self.processes {
            out.push_str(&format!(
                "\n--- lawos-{} (:{}) last lines:\n{}",
                p.service.name,
                p.port,
                tail(&p.log, 12)
            ));
        }
        out
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        // Stop every child before the vhost and the database go (field order).
        self.processes.clear();
        if std::thread::panicking() || self.keep_logs {
            eprintln!("e2e: logs kept in {}", self.logs.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.logs);
        }
    }
}
