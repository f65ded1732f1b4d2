//! A RabbitMQ vhost per test (guest has full rights), deleted on drop, and a way
//! to force-close its connections as a broker restart would.

use std::process::Command;
use std::time::Duration;

fn rabbitmqctl(args: &[&str]) -> String {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("rabbitmqctl runs: {e}"));
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A RabbitMQ vhost that exists for one test (guest has full rights); deleted on drop.
pub struct TestVhost {
    pub name: String,
}

impl TestVhost {
    pub async fn create() -> Self {
        let name = format!("lawos_test_{}", uuid::Uuid::now_v7().simple());
        let n = name.clone();
        tokio::task::spawn_blocking(move || {
            rabbitmqctl(&["-q", "add_vhost", &n]);
            rabbitmqctl(&["-q", "set_permissions", "-p", &n, "guest", ".*", ".*", ".*"]);
        })
        .await
        .unwrap_or_else(|e| panic!("vhost: {e}"));
        Self { name }
    }

    pub fn amqp_url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:5672/{}", self.name)
    }

    /// Force-closes this vhost's connections whose client-provided name contains
    /// `name_part` (e.g. `lawos-relay`), like a broker restart would. Returns how many.
    pub async fn close_connections(&self, name_part: &str) -> usize {
        let vhost = self.name.clone();
        let part = name_part.to_owned();
        tokio::task::spawn_blocking(move || {
            let listing = rabbitmqctl(&[
                "-q",
                "list_connections",
                "--no-table-headers",
                "pid",
                "vhost",
                "client_properties",
            ]);
            // Close in parallel: each rabbitmqctl call costs about a second.
            let closers: Vec<_> = listing
                .lines()
                .filter_map(|line| {
                    let mut cols = line.splitn(3, '\t');
                    let (pid, vh, props) = (cols.next()?, cols.next()?, cols.next()?);
                    (vh == vhost && props.contains(&part)).then(|| pid.to_owned())
                })
                .map(|pid| {
                    std::thread::spawn(move || {
                        // The connection may already be gone: ignore failures.
                        let _ = Command::new("rabbitmqctl")
                            .args(["-q", "close_connection", &pid, "test: forced close"])
                            .output();
                    })
                })
                .collect();
            let closed = closers.len();
            for c in closers {
                let _ = c.join();
            }
            closed
        })
        .await
        .unwrap_or_default()
    }
}

impl Drop for TestVhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["-q", "delete_vhost", &self.name])
            .output();
    }
}

/// How long a test lets an event-driven change take to become visible (a cache
/// dropped, a consumer's row written, a socket pushed). Far below every fallback
/// (cache TTLs of minutes, sweeps of minutes), so a pass still proves the event
/// did it; generous because the tests share two cores with each other. The
/// latency itself is measured by `make bench`, never asserted by a test.
pub const PROPAGATE: Duration = Duration::from_secs(15);

/// Polls `check` every 50 ms until it returns true or `within` elapses.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
