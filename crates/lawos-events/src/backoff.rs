//! Capped exponential backoff with jitter for reconnect loops.

use std::time::Duration;

/// Reconnect delays: `initial`, doubling up to `max`, each with ±20 % jitter so
/// a fleet of relays/consumers does not reconnect in lock-step after an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
        }
    }
}

/// State of one reconnect loop; [`Backoff::reset`] after a session came up.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    next: Duration,
}

impl Backoff {
    pub fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            next: config.initial,
        }
    }

    /// The delay to wait now; doubles the following one (capped).
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next.min(self.config.max);
        self.next = (base * 2).min(self.config.max);
        let jitter = rand::random_range(0.8..1.2);
        base.mul_f64(jitter)
    }

    pub fn reset(&mut self) {
        self.next = self.config.initial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_then_resets() {
        let cfg = BackoffConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(350),
        };
        let mut b = Backoff::new(cfg);
        let ds: Vec<_> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert!((80..=120).contains(&ds[0]));
        assert!((160..=240).contains(&ds[1]));
        for d in &ds[2..] {
            assert!((280..=420).contains(d), "{d}");
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(120));
    }
}
