//! Local leases on the shared rate-limit buckets: an instance takes tokens from
//! a caller's Redis bucket a batch at a time and spends them locally, so a busy
//! caller costs one Redis call per batch instead of one per request.
//!
//! - **Never over the limit.** Every request an instance admits spent a token
//!   taken atomically from the one bucket in Redis (the GCRA script), so across
//!   all replicas a caller never gets more than `burst` at once or `limit` per
//!   `period` sustained, exactly as without leases.
//! - **The error is early refusal, bounded.** Tokens an instance leased but has
//!   not spent are unavailable to the other replicas until the lease lapses
//!   ([`LEASE_TTL`], unspent tokens are then dropped, i.e. counted as used). A
//!   caller spreading requests over `r` replicas can therefore be refused up to
//!   `(r − 1) × max_lease` requests before the limit, for at most a second.
//!   `max_lease` is `burst / 16` capped at [`MAX_LEASE`] (web: 64 of 1,200).
//! - **Adaptive.** A lease starts at one token (a quiet caller costs one Redis
//!   call per request, as before). A lease spent within [`QUICK`] doubles the
//!   next one, up to `max_lease`; a lease that lapses unspent halves it.
//! - **Refusals stay local.** When the bucket is empty the instance answers 429
//!   until the instant Redis named (`retry after`), without asking again.
//! - `X-RateLimit-Remaining` is the bucket's remaining count when the lease was
//!   taken plus the tokens left in it: exact for one instance, an estimate
//!   within the same bound across replicas.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::rate_limit::{RateDecision, RatePolicy};

/// How long leased tokens may be spent.
pub const LEASE_TTL: Duration = Duration::from_secs(1);
/// A lease spent faster than this makes the next one larger.
pub const QUICK: Duration = Duration::from_millis(250);
/// The largest lease, whatever the burst.
pub const MAX_LEASE: u32 = 64;
/// Callers tracked before lapsed entries are swept.
const SWEEP_AT: usize = 10_000;

/// What the Redis script granted.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    /// Tokens taken (0: the bucket is empty).
    pub taken: u32,
    /// Tokens left in the bucket after the take.
    pub remaining: u32,
    /// Unix seconds at which the bucket is full again.
    pub reset_epoch_secs: u64,
    /// When nothing was taken: until one token is back (exact; the
    /// `Retry-After` header rounds it up to whole seconds, at least 1).
    pub retry_after: Duration,
}

#[derive(Debug)]
struct Lease {
    tokens: u32,
    /// The size of the next lease.
    size: u32,
    leased_at: Instant,
    remaining: u32,
    reset_epoch_secs: u64,
    denied_until: Option<Instant>,
}

impl Lease {
    fn live(&self, now: Instant) -> bool {
        now < self.leased_at + LEASE_TTL
    }
}

/// The leases of one instance, per caller bucket.
#[derive(Debug, Default)]
pub struct Leases {
    table: Mutex<HashMap<String, Lease>>,
}

pub fn max_lease(policy: RatePolicy) -> u32 {
    (policy.burst / 16).clamp(1, MAX_LEASE)
}

fn allowed(policy: RatePolicy, lease: &Lease) -> RateDecision {
    RateDecision {
        allowed: true,
        limit: policy.limit,
        remaining: lease.remaining.saturating_add(lease.tokens),
        reset_epoch_secs: lease.reset_epoch_secs,
        retry_after_secs: 0,
    }
}

fn denied(policy: RatePolicy, lease: &Lease, until: Instant, now: Instant) -> RateDecision {
    RateDecision {
        allowed: false,
        limit: policy.limit,
        remaining: 0,
        reset_epoch_secs: lease.reset_epoch_secs,
        retry_after_secs: until
            .saturating_duration_since(now)
            .as_millis()
            .div_ceil(1000)
            .try_into()
            .unwrap_or(u64::MAX)
            .max(1),
    }
}

impl Leases {
    /// Decides locally when it can: a token from a live lease, or a refusal while
    /// the bucket is known to be empty. `None`: ask Redis for [`Leases::want`] tokens.
    pub fn spend(&self, key: &str, policy: RatePolicy, now: Instant) -> Option<RateDecision> {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let lease = table.get_mut(key)?;
        if let Some(until) = lease.denied_until {
            if now < until {
                return Some(denied(policy, lease, until, now));
            }
            lease.denied_until = None;
        }
        if lease.tokens > 0 && lease.live(now) {
            lease.tokens -= 1;
            return Some(allowed(policy, lease));
        }
        None
    }

    /// How many tokens to ask Redis for.
    pub fn want(&self, key: &str, policy: RatePolicy, now: Instant) -> u32 {
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let Some(lease) = table.get(key) else {
            return 1;
        };
        let size = if lease.tokens == 0 && now < lease.leased_at + QUICK {
            lease.size.saturating_mul(2)
        } else if lease.tokens > 0 {
            // Lapsed with tokens unspent: the caller is slower than the lease.
            lease.size / 2
        } else {
            lease.size
        };
        size.clamp(1, max_lease(policy))
    }

    /// Records what Redis granted for `wanted` and decides the request with it
    /// (or with tokens another request of this instance leased meanwhile).
    pub fn settle(
        &self,
        key: &str,
        policy: RatePolicy,
        wanted: u32,
        grant: Grant,
        now: Instant,
    ) -> RateDecision {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if table.len() >= SWEEP_AT && !table.contains_key(key) {
            table.retain(|_, l| l.live(now) || l.denied_until.is_some_and(|u| now < u));
        }
        let lease = table.entry(key.to_owned()).or_insert_with(|| Lease {
            tokens: 0,
            size: 1,
            leased_at: now,
            remaining: grant.remaining,
            reset_epoch_secs: grant.reset_epoch_secs,
            denied_until: None,
        });
        let left = if lease.live(now) { lease.tokens } else { 0 };
        if grant.taken == 0 {
            if left > 0 {
                lease.tokens = left - 1;
                return allowed(policy, lease);
            }
            let until = now + grant.retry_after;
            lease.tokens = 0;
            lease.size = 1;
            lease.denied_until = Some(until);
            lease.reset_epoch_secs = grant.reset_epoch_secs;
            return denied(policy, lease, until, now);
        }
        lease.tokens = left + grant.taken - 1;
        lease.size = wanted.max(1);
        lease.leased_at = now;
        lease.remaining = grant.remaining;
        lease.reset_epoch_secs = grant.reset_epoch_secs;
        lease.denied_until = None;
        allowed(policy, lease)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const WEB: RatePolicy = RatePolicy::per_minute(1_000, 1_200);

    fn grant(taken: u32, remaining: u32) -> Grant {
        Grant {
            taken,
            remaining,
            reset_epoch_secs: 1,
            retry_after: Duration::from_secs(3),
        }
    }

    #[test]
    fn a_quick_caller_gets_doubling_leases_up_to_the_cap() {
        let l = Leases::default();
        let t = Instant::now();
        let mut sizes = Vec::new();
        let mut left = 1_000;
        for _ in 0..10 {
            let want = l.want("k", WEB, t);
            sizes.push(want);
            left -= want;
            assert!(l.settle("k", WEB, want, grant(want, left), t).allowed);
            while l.spend("k", WEB, t).is_some() {}
        }
        assert_eq!(sizes, [1, 2, 4, 8, 16, 32, 64, 64, 64, 64]);
        assert_eq!(max_lease(WEB), 64);
    }

    #[test]
    fn spending_counts_down_remaining_and_lapsed_tokens_are_not_spent() {
        let l = Leases::default();
        let t = Instant::now();
        let d = l.settle("k", WEB, 4, grant(4, 100), t);
        assert_eq!((d.allowed, d.remaining), (true, 103));
        for expect in [102, 101, 100] {
            assert_eq!(l.spend("k", WEB, t).unwrap().remaining, expect);
        }
        assert!(l.spend("k", WEB, t).is_none());
        l.settle("k", WEB, 8, grant(8, 50), t);
        assert!(l.spend("k", WEB, t + LEASE_TTL).is_none(), "lapsed");
        // Lapsed with tokens left: the next lease is smaller.
        assert_eq!(l.want("k", WEB, t + LEASE_TTL), 4);
    }

    #[test]
    fn an_empty_bucket_is_refused_locally_until_retry_after() {
        let l = Leases::default();
        let t = Instant::now();
        let d = l.settle("k", WEB, 1, grant(0, 0), t);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 3);
        let local = l.spend("k", WEB, t + Duration::from_secs(1)).unwrap();
        assert!(!local.allowed);
        assert_eq!(local.retry_after_secs, 2);
        assert!(l.spend("k", WEB, t + Duration::from_secs(3)).is_none());
        assert_eq!(l.want("k", WEB, t + Duration::from_secs(3)), 1);
    }

    #[test]
    fn a_refused_take_uses_tokens_another_request_leased_meanwhile() {
        let l = Leases::default();
        let t = Instant::now();
        assert!(l.settle("k", WEB, 2, grant(2, 0), t).allowed);
        // A concurrent request found the bucket empty, but one leased token is left here.
        assert!(l.settle("k", WEB, 1, grant(0, 0), t).allowed);
        assert!(!l.settle("k", WEB, 1, grant(0, 0), t).allowed);
    }
}
