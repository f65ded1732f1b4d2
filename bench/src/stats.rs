//! Latency percentiles (nearest rank: no interpolation, every figure is a sample).

use std::time::Duration;

/// The `pct`-th percentile (1..=100) of `sorted` (ascending) by nearest rank: the
/// smallest sample with at least `pct`% of the samples at or below it.
/// `None` for no samples or a percentile outside 1..=100.
pub fn percentile(sorted: &[Duration], pct: usize) -> Option<Duration> {
    if !(1..=100).contains(&pct) {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100); // 1-based
    sorted.get(rank.checked_sub(1)?).copied()
}

/// p50 / p95 / p99 of one series of samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub n: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

impl Summary {
    /// `None` when there are no samples.
    pub fn of(mut samples: Vec<Duration>) -> Option<Self> {
        samples.sort_unstable();
        Some(Self {
            n: samples.len(),
            p50: percentile(&samples, 50)?,
            p95: percentile(&samples, 95)?,
            p99: percentile(&samples, 99)?,
        })
    }

    /// The three percentiles, in column order.
    pub fn percentiles(&self) -> [Duration; 3] {
        [self.p50, self.p95, self.p99]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: impl IntoIterator<Item = u64>) -> Vec<Duration> {
        values.into_iter().map(Duration::from_millis).collect()
    }

    #[test]
    fn nearest_rank_of_one_to_a_hundred_is_the_value_itself() {
        let sorted = ms(1..=100);
        for pct in [1, 50, 95, 99, 100] {
            assert_eq!(
                percentile(&sorted, pct),
                Some(Duration::from_millis(pct as u64))
            );
        }
    }

    #[test]
    fn nearest_rank_rounds_the_rank_up() {
        // 10 samples: p50 is the 5th, p95 the 10th (rank 9.5 → 10), p1 the 1st.
        let sorted = ms(1..=10);
        assert_eq!(percentile(&sorted, 50), Some(Duration::from_millis(5)));
        assert_eq!(percentile(&sorted, 95), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&sorted, 1), Some(Duration::from_millis(1)));
        // 4000 samples: p99 is the 3960th.
        let sorted = ms(1..=4000);
        assert_eq!(percentile(&sorted, 99), Some(Duration::from_millis(3960)));
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let sorted = ms([7]);
        assert_eq!(percentile(&sorted, 1), Some(Duration::from_millis(7)));
        assert_eq!(percentile(&sorted, 100), Some(Duration::from_millis(7)));
    }

    #[test]
    fn nothing_to_rank_or_out_of_range() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&ms([1, 2]), 0), None);
        assert_eq!(percentile(&ms([1, 2]), 101), None);
        assert_eq!(Summary::of(Vec::new()), None);
    }

    #[test]
    fn summary_sorts_its_samples() {
        let s = Summary::of(ms([30, 10, 20, 50, 40])).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.p50, Duration::from_millis(30));
        assert_eq!(s.p95, Duration::from_millis(50));
        assert_eq!(s.p99, Duration::from_millis(50));
    }
}
