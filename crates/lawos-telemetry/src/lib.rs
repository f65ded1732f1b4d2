//! Telemetry in one place: the tracing subscriber (JSON or pretty logs, filtered
//! by `RUST_LOG`), OpenTelemetry traces exported over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, W3C `traceparent` helpers, and the
//! process's Prometheus metrics.
//!
//! | variable | default | effect |
//! |---|---|---|
//! | `RUST_LOG` | `info` | log/span filter (`EnvFilter` syntax) |
//! | `LAWOS_LOG_FORMAT` | `pretty` on a terminal, else `json` | `json` or `pretty` |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | unset (no export) | OTLP HTTP/protobuf collector, e.g. `http://otel:4318` |
//!
//! Spans always carry OpenTelemetry trace context (so `traceparent` is
//! generated and propagated even without a collector); they are only exported
//! when an endpoint is configured.

mod metrics_export;
mod trace_context;

pub use metrics_export::{
    HTTP_DURATION_BUCKETS, HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL, metrics_handle,
    record_http, render, render_metrics,
};
pub use trace_context::{set_parent_from_traceparent, traceparent_from_current_span};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
const OTLP_TIMEOUT: Duration = Duration::from_secs(10);

static INITIALISED: Mutex<bool> = Mutex::new(false);

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot build the OTLP trace exporter for {OTLP_ENDPOINT}: {0}")]
    Exporter(String),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl LogFormat {
    /// `LAWOS_LOG_FORMAT` (`json`/`pretty`) if set, else pretty on a terminal
    /// and JSON otherwise.
    pub fn choose(setting: Option<&str>, stdout_is_terminal: bool) -> Self {
        match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("pretty") => Self::Pretty,
            Some("json") => Self::Json,
            _ if stdout_is_terminal => Self::Pretty,
            _ => Self::Json,
        }
    }

    fn from_env() -> Self {
        Self::choose(
            std::env::var("LAWOS_LOG_FORMAT").ok().as_deref(),
            std::io::stdout().is_terminal(),
        )
    }
}

/// Keeps the trace pipeline alive; dropping it flushes pending spans and shuts
/// the exporter down. Hold it for the life of `main`.
#[must_use = "dropping the guard shuts tracing export down"]
#[derive(Debug, Default)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Whether spans are exported to a collector.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("telemetry: flushing spans at shutdown failed: {e}");
        }
    }
}

/// What [`init_with`] installs; [`TelemetryConfig::from_env`] reads the
/// variables in the table above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    pub service_name: String,
    /// `EnvFilter` directives; `None` or invalid → `info`.
    pub filter: Option<String>,
    pub format: LogFormat,
    /// Base OTLP HTTP endpoint (`/v1/traces` is appended); `None` → no export.
    pub otlp_endpoint: Option<String>,
}

impl TelemetryConfig {
    pub fn from_env(service_name: &str) -> Self {
        let non_empty = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            service_name: service_name.to_owned(),
            filter: non_empty(EnvFilter::DEFAULT_ENV),
            format: LogFormat::from_env(),
            otlp_endpoint: non_empty(OTLP_ENDPOINT),
        }
    }
}

/// Installs the global subscriber for `service_name` (configured from the
/// environment) and the Prometheus recorder. Only the first call in a process
/// does anything; later calls (tests, the all-in-one server) return a guard
/// that holds nothing.
///
/// An error means an OTLP endpoint is configured but its exporter could not be
/// built; logging is installed all the same, so the caller can log it and
/// decide whether to stop.
pub fn init(service_name: &str) -> Result<TelemetryGuard, TelemetryError> {
    init_with(TelemetryConfig::from_env(service_name))
}

/// [`init`] with explicit settings.
pub fn init_with(config: TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    // Held for the whole installation, so a concurrent second call returns
    // only once the subscriber is in place.
    let mut done = INITIALISED.lock().unwrap_or_else(PoisonError::into_inner);
    if *done {
        return Ok(TelemetryGuard::default());
    }
    *done = true;
    let _ = metrics_handle();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let (filter, bad_filter) = match config.filter.as_deref().map(EnvFilter::try_new) {
        None => (EnvFilter::new("info"), None),
        Some(Ok(f)) => (f, None),
        Some(Err(e)) => (EnvFilter::new("info"), Some(e)),
    };

    let resource = Resource::builder()
        .with_service_name(config.service_name.clone())
        .build();
    let mut provider = SdkTracerProvider::builder().with_resource(resource);
    let mut exporting = false;
    let mut exporter_error = None;
    if let Some(endpoint) = &config.otlp_endpoint {
        match otlp_exporter(endpoint) {
            Ok(exporter) => {
                provider = provider.with_batch_exporter(exporter);
                exporting = true;
            }
            Err(e) => exporter_error = Some(e),
        }
    }
    let provider = provider.build();
    let tracer = provider.tracer(config.service_name.clone());
    opentelemetry::global::set_tracer_provider(provider.clone());

    let format = config.format;
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with((format == LogFormat::Json).then(|| {
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
        }))
        .with((format == LogFormat::Pretty).then(|| tracing_subscriber::fmt::layer().pretty()));
    if let Err(e) = registry.try_init() {
        // Someone else's global subscriber is in place; leave it be.
        eprintln!("telemetry: a tracing subscriber is already installed ({e}); keeping it");
        let _ = provider.shutdown();
        return Ok(TelemetryGuard::default());
    }

    if let Some(e) = bad_filter {
        tracing::warn!(filter = ?config.filter, error = %e, "invalid RUST_LOG; logging at info");
    }
    tracing::debug!(service = %config.service_name, exporting, ?format, "telemetry initialised");
    match exporter_error {
        Some(e) => {
            tracing::error!(error = %e, "OTLP export disabled");
            let _ = provider.shutdown();
            Err(e)
        }
        None => Ok(TelemetryGuard {
            provider: exporting.then_some(provider),
        }),
    }
}

/// An OTLP HTTP/protobuf span exporter to `{endpoint}/v1/traces` (or to
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` when set); headers and timeout from
/// the standard `OTEL_EXPORTER_OTLP_*` variables.
fn otlp_exporter(endpoint: &str) -> Result<opentelemetry_otlp::SpanExporter, TelemetryError> {
    // The batch processor exports from its own plain thread, where the async
    // reqwest client finds no Tokio reactor; the blocking client works there.
    // It starts its own runtime, which must not happen on a Tokio worker, so
    // build it on a plain thread too.
    let client = std::thread::spawn(|| {
        reqwest::blocking::Client::builder()
            .timeout(OTLP_TIMEOUT)
            .build()
    })
    .join()
    .map_err(|_| TelemetryError::Exporter("the HTTP client thread panicked".to_owned()))?
    .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let mut builder = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_http_client(client);
    if std::env::var_os("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_none() {
        builder = builder.with_endpoint(format!(
            "{}/v1/traces",
            endpoint.trim().trim_end_matches('/')
        ));
    }
    builder
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_twice_does_not_panic() {
        let first = init("lawos-test");
        assert!(first.is_ok());
        let second = init("lawos-test").unwrap();
        assert!(!second.exporting());
        tracing::info!("still logging");
    }

    #[test]
    fn log_format_follows_the_setting_then_the_terminal() {
        assert_eq!(LogFormat::choose(None, false), LogFormat::Json);
        assert_eq!(LogFormat::choose(None, true), LogFormat::Pretty);
        assert_eq!(LogFormat::choose(Some("pretty"), false), LogFormat::Pretty);
        assert_eq!(LogFormat::choose(Some("JSON"), true), LogFormat::Json);
        assert_eq!(LogFormat::choose(Some("other"), false), LogFormat::Json);
    }
}
