//! What `oha --output-format json` (its JSON summary; 1.16 has no `-j`) says about one run: throughput, latency
//! percentiles, status codes and errors.
//!
//! oha reports times in seconds; here they are milliseconds. With
//! `--latency-correction` (open loop, `-q`), every latency counts from the instant
//! the request was due, not from when a free connection sent it.

use anyhow::{Context, Result};
use serde_json::Value;

/// One oha run, as the results table needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OhaRun {
    /// Responses with a 2xx status.
    pub ok: u64,
    /// Everything else: non-2xx responses and requests that got no response
    /// (connection errors, timeouts; oha's `errorDistribution`).
    pub errors: u64,
    /// Wall-clock seconds of the run (oha's `summary.total`).
    pub elapsed_s: f64,
    /// 2xx responses per second over the run.
    pub achieved_per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

fn seconds_as_ms(v: &Value, what: &str) -> Result<f64> {
    v.as_f64()
        .map(|s| s * 1e3)
        .with_context(|| format!("oha JSON: {what} is not a number: {v}"))
}

/// Parses oha's JSON output (`--output-format json`).
pub fn parse(json: &str) -> Result<OhaRun> {
    let v: Value = serde_json::from_str(json).context("oha output is not JSON")?;
    let elapsed_s = v["summary"]["total"]
        .as_f64()
        .context("oha JSON: no summary.total")?;
    let mut ok = 0;
    let mut errors = 0;
    if let Some(codes) = v["statusCodeDistribution"].as_object() {
        for (code, n) in codes {
            let n = n.as_u64().unwrap_or(0);
            if code.starts_with('2') {
                ok += n;
            } else {
                errors += n;
            }
        }
    }
    if let Some(failed) = v["errorDistribution"].as_object() {
        errors += failed.values().filter_map(Value::as_u64).sum::<u64>();
    }
    let pct = &v["latencyPercentiles"];
    // No successful request: oha prints null percentiles.
    let or_nan = |key: &str| -> Result<f64> {
        if pct[key].is_null() {
            Ok(f64::NAN)
        } else {
            seconds_as_ms(&pct[key], key)
        }
    };
    Ok(OhaRun {
        ok,
        errors,
        elapsed_s,
        achieved_per_s: if elapsed_s > 0.0 {
            ok as f64 / elapsed_s
        } else {
            0.0
        },
        p50_ms: or_nan("p50")?,
        p95_ms: or_nan("p95")?,
        p99_ms: or_nan("p99")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_counts_rate_and_percentiles() {
        let json = r#"{
          "summary": {"successRate": 0.99, "total": 10.0, "slowest": 0.05,
                      "fastest": 0.0002, "average": 0.001, "requestsPerSec": 1001.0},
          "latencyPercentiles": {"p10": 0.0005, "p50": 0.001, "p95": 0.004,
                                 "p99": 0.0125, "p99.9": 0.03},
          "statusCodeDistribution": {"200": 9990, "404": 5, "503": 3},
          "errorDistribution": {"connection closed": 2}
        }"#;
        let run = parse(json).unwrap();
        assert_eq!(run.ok, 9990);
        assert_eq!(run.errors, 10);
        assert!((run.achieved_per_s - 999.0).abs() < 1e-9);
        assert!((run.p50_ms - 1.0).abs() < 1e-9);
        assert!((run.p95_ms - 4.0).abs() < 1e-9);
        assert!((run.p99_ms - 12.5).abs() < 1e-9);
    }

    #[test]
    fn no_success_gives_nan_percentiles_and_no_rate() {
        let json = r#"{"summary": {"total": 2.0}, "latencyPercentiles": {"p50": null,
                       "p95": null, "p99": null}, "statusCodeDistribution": {},
                       "errorDistribution": {"refused": 7}}"#;
        let run = parse(json).unwrap();
        assert_eq!((run.ok, run.errors), (0, 7));
        assert_eq!(run.achieved_per_s, 0.0);
        assert!(run.p99_ms.is_nan());
    }

    #[test]
    fn refuses_what_is_not_oha_json() {
        assert!(parse("Summary: ...").is_err());
        assert!(parse("{}").is_err());
    }
}
