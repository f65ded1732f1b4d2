//! The process's Prometheus recorder and the HTTP request metrics.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";

/// Request latency buckets (seconds), around the p50 100 ms / p95 200 ms /
/// p99 500 ms targets.
pub const HTTP_DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often idle series are swept and histogram buffers drained.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The global Prometheus recorder's handle, installed on first use.
pub fn metrics_handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(install)
}

fn install() -> PrometheusHandle {
    // Only an empty bucket list is refused, and ours is not empty.
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(HTTP_REQUEST_DURATION_SECONDS.to_owned()),
            &HTTP_DURATION_BUCKETS,
        )
        .unwrap_or_else(|_| PrometheusBuilder::new());
    let handle = match builder.install_recorder() {
        Ok(handle) => {
            metrics::describe_counter!(
                HTTP_REQUESTS_TOTAL,
                "HTTP requests served, by method, route and status"
            );
            metrics::describe_histogram!(
                HTTP_REQUEST_DURATION_SECONDS,
                metrics::Unit::Seconds,
                "HTTP request latency, by method, route and status"
            );
            handle
        }
        Err(e) => {
            // Another recorder owns the process; render an empty registry
            // rather than failing the caller.
            tracing::warn!(error = %e, "a metrics recorder is already installed; /metrics will be empty");
            PrometheusBuilder::new().build_recorder().handle()
        }
    };
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                upkeep.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start metrics upkeep");
    }
    handle
}

/// The Prometheus text exposition, for `/metrics`.
pub fn render() -> String {
    metrics_handle().render()
}

/// Alias of [`render`].
pub fn render_metrics() -> String {
    render()
}

/// Records one served request. `route` must be the matched route pattern
/// (`/matters/{id}`), never the raw path, to keep label cardinality bounded.
pub fn record_http(method: &str, route: &str, status: u16, duration: Duration) {
    let _ = metrics_handle();
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, &labels).record(duration.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_includes_a_recorded_request() {
        record_http(
            "GET",
            "/api/v1/matters/{id}",
            200,
            Duration::from_millis(42),
        );
        record_http("GET", "/api/v1/matters/{id}", 200, Duration::from_millis(7));
        record_http("POST", "/api/v1/matters", 422, Duration::from_millis(3));
        let text = render_metrics();
        assert!(
            text.contains(
                r#"http_requests_total{method="GET",route="/api/v1/matters/{id}",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"http_requests_total{method="POST",route="/api/v1/matters",status="422"} 1"#
        ));
        assert!(
            text.contains("# TYPE http_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/matters/{id}",status="200",le="0.05"} 2"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/matters/{id}",status="200",le="0.01"} 1"#
        ));
        assert!(text.contains("# HELP http_requests_total"));
    }
}
