//! Runs a service's own binary as a separate process: `migrate` on an empty
//! database, then `serve` until `/readyz` answers 200, with nothing but the
//! service's hard dependencies available.

use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child process when dropped, so a failing test leaves no server behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn command(binary: &str, db: &TestDatabase) -> Command {
    let mut cmd = Command::new(binary);
    cmd.env("LAWOS_DATABASE_URL", db.admin_url())
        .env("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD)
        .env(
            "LAWOS_REDIS_PREFIX",
            format!("test:{}", uuid::Uuid::now_v7().simple()),
        )
        .env("LAWOS_CURSOR_KEY", "test-cursor-key")
        .env("LAWOS_HTTP_WORKERS", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    cmd
}

/// The S3 settings of the local store `make test` starts (`scripts/infra.sh
/// --with-s3`), `LAWOS_S3_*` from the environment where set.
pub fn s3_env() -> Vec<(&'static str, String)> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    vec![
        (
            "LAWOS_S3_ENDPOINT",
            env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ),
        ("LAWOS_S3_PATH_STYLE", "true".to_owned()),
        ("LAWOS_S3_ACCESS_KEY", env("LAWOS_S3_ACCESS_KEY", "lawos")),
        (
            "LAWOS_S3_SECRET_KEY",
            env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        ),
    ]
}

/// `binary migrate` then `binary serve`; asserts `/readyz`, `/livez`, `/metrics`
/// and `/openapi.json` answer, and that `/readyz` names `service`'s database.
pub async fn migrates_and_serves(binary: &str, service: &str) {
    migrates_and_serves_with(binary, service, &[]).await;
}

/// [`migrates_and_serves`] with `env` set for the service too (a hard
/// dependency besides the database, such as its object store).
pub async fn migrates_and_serves_with(binary: &str, service: &str, env: &[(&str, String)]) {
    let db = TestDatabase::empty()
        .await
        .unwrap_or_else(|e| panic!("database: {e}"));
    let status = command(binary, &db)
        .arg("migrate")
        .status()
        .unwrap_or_else(|e| panic!("run {binary}: {e}"));
    assert!(status.success(), "{binary} migrate failed: {status}");
    // Migrating twice is harmless.
    let status = command(binary, &db)
        .arg("migrate")
        .status()
        .unwrap_or_else(|e| panic!("run {binary}: {e}"));
    assert!(
        status.success(),
        "{binary} migrate (again) failed: {status}"
    );

    let port = free_port();
    let child = command(binary, &db)
        .arg("serve")
        .env("LAWOS_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {binary}: {e}"));
    let _running = Running(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if let Ok(res) = http.get(format!("{base}/readyz")).send().await
            && res.status() == 200
        {
            break res.json::<serde_json::Value>().await.unwrap_or_default();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{binary} did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        ready["checks"][format!("postgres:{service}")],
        "ok",
        "{ready}"
    );
    for path in ["/livez", "/metrics", "/openapi.json"] {
        let res = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(res.status(), 200, "{binary} {path}");
    }
    let res = http
        .get(format!("{base}/api/v1/{service}/no/such/route/here/at-all"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status(), 404);
}
