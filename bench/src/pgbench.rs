//! What pgbench says about one run: its `tps` line, and the per-transaction log
//! (`-l`) from which the latency percentiles are taken (nearest rank).
//!
//! In the log, each line is `client_id transaction_no time script_no time_epoch
//! time_us [schedule_lag]`; `time` is in microseconds and, with `--rate`, counts
//! from the transaction's *scheduled* start (pgbench's own latency correction), so
//! it compares with oha's `--latency-correction`. A failed or skipped transaction
//! has a word (`failed`, `skipped`, …) instead of a number there.

use std::time::Duration;

use anyhow::{Context, Result};

/// The throughput pgbench prints: `tps = 1234.5 (without initial connection time)`.
pub fn tps(stdout: &str) -> Result<f64> {
    stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("tps = "))
        .filter_map(|rest| rest.split_whitespace().next())
        .find_map(|n| n.parse::<f64>().ok())
        .with_context(|| format!("no `tps = …` line in pgbench's output:\n{stdout}"))
}

/// The latencies and failures of a per-transaction log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LogSamples {
    pub latencies: Vec<Duration>,
    /// Lines whose `time` is not a number (failed, skipped, …).
    pub failed: u64,
}

impl LogSamples {
    /// Adds the lines of one log file.
    pub fn add(&mut self, log: &str) {
        for line in log.lines() {
            let mut fields = line.split_whitespace();
            match fields.nth(2) {
                Some(time) => match time.parse::<u64>() {
                    Ok(us) => self.latencies.push(Duration::from_micros(us)),
                    Err(_) => self.failed += 1,
                },
                None if line.trim().is_empty() => {}
                None => self.failed += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tps_line() {
        let out = "transaction type: get.sql\nscaling factor: 1\nlatency average = 0.4 ms\n\
                   initial connection time = 3.1 ms\n\
                   tps = 4873.123456 (without initial connection time)\n";
        assert!((tps(out).unwrap() - 4873.123456).abs() < 1e-9);
        assert!(tps("nothing here").is_err());
    }

    #[test]
    fn log_lines_give_latencies_and_failures() {
        let mut samples = LogSamples::default();
        samples.add("0 1 412 0 1764600000 123456 12\n1 1 1500 0 1764600000 123999 3\n");
        samples.add("0 2 failed 0 1764600001 5\n0 3 skipped 0 1764600001 6 7\n\n");
        assert_eq!(
            samples.latencies,
            [Duration::from_micros(412), Duration::from_micros(1500)]
        );
        assert_eq!(samples.failed, 2);
    }
}
