//! Open-loop load: request `i` is due at `start + i / rate`, whatever happened to
//! the requests before it. Latency is measured from the due instant, so a stall
//! of the system under test shows up in every request it delayed (no coordinated
//! omission), instead of silently lowering the rate.

use std::time::{Duration, Instant};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A steady rate for a warm-up (not counted) followed by the measured window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Requests per second (> 0).
    pub rate: u32,
    pub warmup: Duration,
    pub duration: Duration,
}

impl Schedule {
    fn count(&self, window: Duration) -> u64 {
        let n = window.as_nanos() * u128::from(self.rate) / NANOS_PER_SEC;
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// Requests during the warm-up: indices `0..warmup_count()`.
    pub fn warmup_count(&self) -> u64 {
        self.count(self.warmup)
    }

    /// Requests that are measured: indices `warmup_count()..total()`.
    pub fn measured_count(&self) -> u64 {
        self.count(self.warmup + self.duration) - self.warmup_count()
    }

    pub fn total(&self) -> u64 {
        self.warmup_count() + self.measured_count()
    }

    pub fn is_measured(&self, i: u64) -> bool {
        (self.warmup_count()..self.total()).contains(&i)
    }

    /// When request `i` is due, relative to the start (exact integer maths).
    pub fn offset(&self, i: u64) -> Duration {
        let rate = u128::from(self.rate.max(1));
        let nanos = u128::from(i) * NANOS_PER_SEC / rate;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Every due instant from `start`, in order.
    pub fn due_instants(&self, start: Instant) -> Vec<Instant> {
        (0..self.total()).map(|i| start + self.offset(i)).collect()
    }

    /// Calls `fire(i, due)` for every request at (not before) its due instant.
    /// `fire` must not wait for the request: spawn it. If this loop is late, the
    /// late requests fire at once, still carrying their original due instant.
    pub async fn run(&self, start: Instant, mut fire: impl FnMut(u64, Instant)) {
        for i in 0..self.total() {
            let due = start + self.offset(i);
            tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
            fire(i, due);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(rate: u32, warmup_ms: u64, duration_ms: u64) -> Schedule {
        Schedule {
            rate,
            warmup: Duration::from_millis(warmup_ms),
            duration: Duration::from_millis(duration_ms),
        }
    }

    #[test]
    fn counts_follow_the_rate() {
        let s = schedule(200, 2_000, 20_000);
        assert_eq!(s.warmup_count(), 400);
        assert_eq!(s.measured_count(), 4000);
        assert_eq!(s.total(), 4400);
        assert!(!s.is_measured(399));
        assert!(s.is_measured(400));
        assert!(s.is_measured(4399));
        assert!(!s.is_measured(4400));
        assert_eq!(schedule(200, 0, 20_000).warmup_count(), 0);
    }

    #[test]
    fn fractional_windows_round_down_without_losing_requests() {
        // 3/s: the warm-up of 0.5 s holds 1 request, 0.5 s + 1 s hold 4.
        let s = schedule(3, 500, 1_000);
        assert_eq!(s.warmup_count(), 1);
        assert_eq!(s.measured_count(), 3);
        assert_eq!(s.total(), 4);
    }

    #[test]
    fn offsets_are_evenly_spaced_and_do_not_drift() {
        let s = schedule(200, 0, 20_000);
        assert_eq!(s.offset(0), Duration::ZERO);
        assert_eq!(s.offset(1), Duration::from_millis(5));
        assert_eq!(s.offset(3999), Duration::from_millis(19_995));
        // 3/s does not divide a second: offsets stay exact, not accumulated.
        let s = schedule(3, 0, 1_000);
        assert_eq!(s.offset(1), Duration::from_nanos(333_333_333));
        assert_eq!(s.offset(3), Duration::from_secs(1));
        assert_eq!(s.offset(3_000), Duration::from_secs(1_000));
    }

    #[test]
    fn due_instants_match_offsets() {
        let s = schedule(100, 100, 100);
        let start = Instant::now();
        let due = s.due_instants(start);
        assert_eq!(due.len(), 20);
        assert_eq!(due[7] - start, Duration::from_millis(70));
    }

    #[tokio::test]
    async fn run_fires_every_request_in_order_and_never_early() {
        let s = schedule(1_000, 10, 40);
        let start = Instant::now() + Duration::from_millis(5);
        let mut fired = Vec::new();
        s.run(start, |i, due| {
            assert_eq!(due, start + s.offset(i));
            assert!(Instant::now() >= due, "request {i} fired early");
            fired.push(i);
        })
        .await;
        assert_eq!(fired, (0..50).collect::<Vec<_>>());
    }
}
