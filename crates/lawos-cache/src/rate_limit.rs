//! Per-caller rate limits by client type (Backstage §7.4).
//!
//! # Algorithm: GCRA (generic cell rate algorithm)
//!
//! A policy of `limit` requests per `period` with a `burst` is a token bucket of
//! capacity `burst` refilled at one token every `interval = period / limit`,
//! kept as a single number per caller: the *theoretical arrival time* (TAT),
//! the moment the bucket would be full again. For a request at `now`:
//!
//! ```text
//! tat      = max(stored_tat, now)
//! new_tat  = tat + interval
//! allow_at = new_tat - burst * interval
//! now < allow_at  → refused, retry after (allow_at - now)
//! otherwise       → allowed, store new_tat (expiring when the bucket is full),
//!                   remaining = floor((now - allow_at) / interval)
//! ```
//!
//! So a fresh caller gets exactly `burst` requests at once, then one more every
//! `interval`, i.e. `limit` per `period` sustained. The whole step is one Lua
//! script using Redis's own clock (`TIME`), so it is atomic across every
//! replica of every service and immune to skew between their clocks.
//!
//! Headers: `X-RateLimit-Limit` is the sustained limit per period (as in the
//! specification's example), `X-RateLimit-Remaining` the requests that could be
//! made right now, `X-RateLimit-Reset` the Unix time (seconds) at which the
//! bucket is full again.

use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use deadpool_redis::redis::Script;
use lawos_core::{ApiError, ErrorCode};
use serde_json::json;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::lease::{Grant, Leases};
use crate::middleware::{Identity, peer_identity};
use crate::{Cache, CacheError};

pub const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// The kind of client calling, which selects the rate policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClientType {
    #[default]
    Web,
    Mobile,
    Admin,
}

impl ClientType {
    pub const ALL: [ClientType; 3] = [Self::Web, Self::Mobile, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Mobile => "mobile",
            Self::Admin => "admin",
        }
    }

    /// By convention from an OAuth client id: ids starting with `mobile` or
    /// `admin` (any case) are those types; everything else is the web app.
    /// Use a [`ClientTypeMap`] when client ids do not follow the convention.
    pub fn from_client_id(client_id: &str) -> Self {
        let id = client_id.trim().to_ascii_lowercase();
        if id.starts_with("mobile") {
            Self::Mobile
        } else if id.starts_with("admin") {
            Self::Admin
        } else {
            Self::Web
        }
    }

    /// The Backstage §7.4 policy of this client type.
    pub fn default_policy(self) -> RatePolicy {
        match self {
            Self::Web => RatePolicy::per_minute(1_000, 1_200),
            Self::Mobile => RatePolicy::per_minute(500, 600),
            Self::Admin => RatePolicy::per_minute(2_000, 2_400),
        }
    }
}

impl fmt::Display for ClientType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClientType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "web" => Ok(Self::Web),
            "mobile" => Ok(Self::Mobile),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "unknown client type {other:?} (expected web, mobile or admin)"
            )),
        }
    }
}

/// Explicit client id → client type assignments, falling back to
/// [`ClientType::from_client_id`]'s prefix convention.
#[derive(Debug, Clone, Default)]
pub struct ClientTypeMap(HashMap<String, ClientType>);

impl ClientTypeMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, client_id: impl Into<String>, client_type: ClientType) -> Self {
        self.0.insert(client_id.into(), client_type);
        self
    }

    /// Parses `id=type,id=type` (e.g. `LAWOS_CLIENT_TYPES=8f2c…=mobile,ops-console=admin`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut map = Self::new();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, kind) = pair
                .split_once('=')
                .ok_or_else(|| format!("expected client_id=type, got {pair:?}"))?;
            map = map.with(id.trim(), kind.parse()?);
        }
        Ok(map)
    }

    pub fn resolve(&self, client_id: &str) -> ClientType {
        self.0
            .get(client_id)
            .copied()
            .unwrap_or_else(|| ClientType::from_client_id(client_id))
    }
}

/// `limit` requests per `period` sustained, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    pub limit: u32,
    pub burst: u32,
    pub period: Duration,
}

impl RatePolicy {
    pub const fn per_minute(limit: u32, burst: u32) -> Self {
        Self {
            limit,
            burst,
            period: Duration::from_secs(60),
        }
    }
}

/// Policies per client type, `web=1000/1200,mobile=500/600,admin=2000/2400`
/// (`limit/burst` per minute; client types left out keep the Backstage §7.4
/// default). Answers the three in [`ClientType::ALL`] order.
pub fn parse_policies(spec: &str) -> Result<[RatePolicy; 3], String> {
    let mut policies = ClientType::ALL.map(ClientType::default_policy);
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, rate) = part
            .split_once('=')
            .ok_or_else(|| format!("expected type=limit/burst, got {part:?}"))?;
        let kind: ClientType = kind.parse()?;
        let (limit, burst) = rate
            .split_once('/')
            .ok_or_else(|| format!("expected limit/burst per minute, got {rate:?}"))?;
        let parse = |v: &str| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{v:?} is not a positive whole number"))
        };
        let (limit, burst) = (parse(limit)?, parse(burst)?);
        if burst < limit / 60 {
            return Err(format!(
                "{kind}: a burst of {burst} is below one second of {limit} per minute"
            ));
        }
        policies[kind as usize] = RatePolicy::per_minute(limit, burst);
    }
    Ok(policies)
}

/// The outcome of one [`RateLimiter::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    /// The sustained limit per period.
    pub limit: u32,
    /// Requests that could be made right now.
    pub remaining: u32,
    /// Unix time (seconds) at which the caller's bucket is full again.
    pub reset_epoch_secs: u64,
    /// Seconds until the next request can succeed; 0 when allowed.
    pub retry_after_secs: u64,
}

impl RateDecision {
    /// `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.
    pub fn headers(&self) -> [(HeaderName, HeaderValue); 3] {
        [
            (X_RATELIMIT_LIMIT, HeaderValue::from(self.limit)),
            (X_RATELIMIT_REMAINING, HeaderValue::from(self.remaining)),
            (X_RATELIMIT_RESET, HeaderValue::from(self.reset_epoch_secs)),
        ]
    }

    /// The 429 `RATE_LIMIT_EXCEEDED` envelope with `Retry-After` and the rate headers.
    pub fn into_error(self) -> ApiError {
        let retry = self.retry_after_secs.max(1);
        let mut err = ApiError::new(
            ErrorCode::RateLimitExceeded,
            format!("Too many requests; retry after {retry} seconds"),
        )
        .with_details(json!({ "limit": self.limit, "retryAfterSeconds": retry }))
        .with_header(RETRY_AFTER, HeaderValue::from(retry));
        for (name, value) in self.headers() {
            err = err.with_header(name, value);
        }
        err
    }
}

/// KEYS[1] the caller's TAT; ARGV period (µs), limit, burst, want.
/// Takes up to `want` tokens that are available now (GCRA: each token moves the
/// TAT one interval on). Returns {taken, remaining, tat_us, retry_after_us}.
const GCRA_TAKE: &str = r#"
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local available = math.floor((now + burst * interval - tat) / interval)
if available < 1 then
  local allow_at = tat + interval - burst * interval
  return {0, 0, string.format('%.0f', tat), string.format('%.0f', allow_at - now)}
end
local taken = math.min(want, available)
local new_tat = tat + taken * interval
local ttl_ms = math.max(1, math.ceil((new_tat - now) / 1000))
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {taken, available - taken, string.format('%.0f', new_tat), '0'}
"#;

/// The rate limiter: policies per client type over a shared [`Cache`], the
/// identity function its middleware keys requests by, and this instance's
/// leases on the shared buckets ([`crate::lease`]: one Redis call per batch of
/// a busy caller's requests, never over the limit). Cheap to clone; clones
/// share the leases.
#[derive(Clone)]
pub struct RateLimiter {
    cache: Cache,
    policies: [RatePolicy; 3],
    script: Arc<Script>,
    leases: Arc<Leases>,
    pub(crate) identity: Identity,
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("cache", &self.cache)
            .field("policies", &self.policies)
            .finish()
    }
}

impl RateLimiter {
    /// The §7.4 policies; the middleware keys requests by peer IP until
    /// [`RateLimiter::with_identity`] says otherwise.
    pub fn new(cache: Cache) -> Self {
        Self {
            cache,
            policies: ClientType::ALL.map(ClientType::default_policy),
            script: Arc::new(Script::new(GCRA_TAKE)),
            leases: Arc::new(Leases::default()),
            identity: Arc::new(peer_identity),
        }
    }

    /// Overrides one client type's policy.
    pub fn with_policy(mut self, client_type: ClientType, policy: RatePolicy) -> Self {
        self.policies[client_type as usize] = policy;
        self
    }

    /// Who a request counts against: `Some((subject, client type))` for an
    /// authenticated caller; `None` falls back to [`peer_identity`].
    pub fn with_identity(
        mut self,
        identity: impl Fn(&actix_web::dev::ServiceRequest) -> Option<(String, ClientType)>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.identity = Arc::new(move |req| identity(req).or_else(|| peer_identity(req)));
        self
    }

    pub fn policy(&self, client_type: ClientType) -> RatePolicy {
        self.policies[client_type as usize]
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Counts one request by `subject` as `client_type` and decides it: from
    /// this instance's lease when it holds one, else with one Redis call that
    /// takes a new lease.
    pub async fn check(
        &self,
        subject: &str,
        client_type: ClientType,
    ) -> Result<RateDecision, CacheError> {
        let policy = self.policy(client_type);
        let key = self
            .cache
            .key(&format!("ratelimit:{}:{subject}", client_type.as_str()));
        let now = Instant::now();
        if let Some(decision) = self.leases.spend(&key, policy, now) {
            return Ok(decision);
        }
        let want = self.leases.want(&key, policy, now);
        let grant = self.take(&key, policy, want).await?;
        Ok(self
            .leases
            .settle(&key, policy, want, grant, Instant::now()))
    }

    /// Takes up to `want` tokens from the shared bucket `key`.
    async fn take(&self, key: &str, policy: RatePolicy, want: u32) -> Result<Grant, CacheError> {
        let period_us = u64::try_from(policy.period.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut conn = self.cache.conn().await?;
        let (taken, remaining, tat_us, retry_us): (i64, i64, u64, u64) = self
            .script
            .key(key)
            .arg(period_us)
            .arg(policy.limit.max(1))
            .arg(policy.burst.max(1))
            .arg(want.max(1))
            .invoke_async(&mut conn)
            .await?;
        Ok(Grant {
            taken: u32::try_from(taken.max(0)).unwrap_or(0),
            remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX),
            reset_epoch_secs: tat_us.div_ceil(1_000_000),
            retry_after: Duration::from_micros(retry_us),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;
    use std::time::{Instant, SystemTime, UNIX_EPOCH};

    fn limiter(limit: u32, burst: u32, period: Duration) -> RateLimiter {
        let policy = RatePolicy {
            limit,
            burst,
            period,
        };
        let mut l = RateLimiter::new(test_support::cache());
        for t in ClientType::ALL {
            l = l.with_policy(t, policy);
        }
        l
    }

    fn now_secs() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn client_types_follow_the_convention_or_the_map() {
        assert_eq!(ClientType::from_client_id("mobile-ios"), ClientType::Mobile);
        assert_eq!(
            ClientType::from_client_id("Admin_Portal"),
            ClientType::Admin
        );
        assert_eq!(ClientType::from_client_id("web-app"), ClientType::Web);
        assert_eq!(ClientType::from_client_id("8f2c0e"), ClientType::Web);
        let map = ClientTypeMap::parse("8f2c0e=mobile, ops=admin").unwrap();
        assert_eq!(map.resolve("8f2c0e"), ClientType::Mobile);
        assert_eq!(map.resolve("ops"), ClientType::Admin);
        assert_eq!(map.resolve("mobile-x"), ClientType::Mobile);
        assert_eq!(map.resolve("other"), ClientType::Web);
        assert!(ClientTypeMap::parse("x=desktop").is_err());
        assert!(ClientTypeMap::parse("nope").is_err());
    }

    #[test]
    fn default_policies_are_the_specified_ones() {
        assert_eq!(
            ClientType::Web.default_policy(),
            RatePolicy::per_minute(1_000, 1_200)
        );
        assert_eq!(
            ClientType::Mobile.default_policy(),
            RatePolicy::per_minute(500, 600)
        );
        assert_eq!(
            ClientType::Admin.default_policy(),
            RatePolicy::per_minute(2_000, 2_400)
        );
    }

    #[tokio::test]
    async fn allows_exactly_the_burst_then_refuses_with_a_sane_retry_after() {
        // 10 per minute → one token every 6 s, so none refills during the test.
        let l = limiter(10, 15, Duration::from_secs(60));
        let mut last_remaining = u32::MAX;
        for i in 0..15 {
            let d = l.check("alice", ClientType::Web).await.unwrap();
            assert!(d.allowed, "request {i} refused");
            assert_eq!(d.limit, 10);
            assert_eq!(d.remaining, 14 - i);
            assert!(d.remaining < last_remaining);
            last_remaining = d.remaining;
            assert_eq!(d.retry_after_secs, 0);
        }
        let refused = l.check("alice", ClientType::Web).await.unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert!((5..=6).contains(&refused.retry_after_secs), "{refused:?}");
        // Full again after 15 intervals of 6 s.
        let full_in = refused.reset_epoch_secs.saturating_sub(now_secs());
        assert!((88..=91).contains(&full_in), "{refused:?}");
        // A refusal does not consume anything.
        let again = l.check("alice", ClientType::Web).await.unwrap();
        assert!(!again.allowed);
        assert_eq!(again.reset_epoch_secs, refused.reset_epoch_secs);
    }

    #[tokio::test]
    async fn tokens_come_back_at_the_sustained_rate() {
        // 20 per second: one every 50 ms, burst 2.
        let l = limiter(20, 2, Duration::from_secs(1));
        assert!(l.check("bob", ClientType::Mobile).await.unwrap().allowed);
        assert!(l.check("bob", ClientType::Mobile).await.unwrap().allowed);
        let refused = l.check("bob", ClientType::Mobile).await.unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_secs, 1);
        tokio::time::sleep(Duration::from_millis(70)).await;
        assert!(l.check("bob", ClientType::Mobile).await.unwrap().allowed);
    }

    #[tokio::test]
    async fn subjects_and_client_types_are_independent() {
        let l = limiter(1, 1, Duration::from_secs(60));
        assert!(l.check("carol", ClientType::Web).await.unwrap().allowed);
        assert!(!l.check("carol", ClientType::Web).await.unwrap().allowed);
        assert!(l.check("dave", ClientType::Web).await.unwrap().allowed);
        assert!(l.check("carol", ClientType::Mobile).await.unwrap().allowed);
        assert!(l.check("carol", ClientType::Admin).await.unwrap().allowed);
        assert!(!l.check("carol", ClientType::Mobile).await.unwrap().allowed);
    }

    #[tokio::test]
    async fn the_specified_mobile_policy_allows_its_burst() {
        let l = RateLimiter::new(test_support::cache());
        let started = Instant::now();
        let mut allowed = 0u32;
        for _ in 0..700 {
            if l.check("erin", ClientType::Mobile).await.unwrap().allowed {
                allowed += 1;
            }
        }
        // 600 at once, plus one per 120 ms that passed while we asked.
        let refilled = (started.elapsed().as_millis() / 120) as u32 + 1;
        assert!(
            allowed >= 600 && allowed <= 600 + refilled,
            "allowed {allowed}, refilled {refilled}"
        );
    }

    #[tokio::test]
    async fn concurrent_checks_never_exceed_the_burst() {
        let l = limiter(1, 50, Duration::from_secs(60));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(
                    async move { l.check("frank", ClientType::Admin).await.unwrap().allowed },
                )
            })
            .collect();
        let mut allowed = 0;
        for t in tasks {
            if t.await.unwrap() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 50);
    }

    #[tokio::test]
    async fn two_instances_with_leases_never_exceed_the_burst_together() {
        // Two replicas (their own leases) on one bucket: 1 per minute, burst 160
        // (leases up to 10 tokens). Together never more than 160; each may
        // strand at most one lease, so at least 160 - 10 get through.
        let a = limiter(1, 160, Duration::from_secs(60));
        let policy = a.policy(ClientType::Web);
        let b = RateLimiter::new(a.cache().clone()).with_policy(ClientType::Web, policy);
        let mut allowed = 0u32;
        for i in 0..400 {
            let l = if i % 3 == 0 { &a } else { &b };
            if l.check("gina", ClientType::Web).await.unwrap().allowed {
                allowed += 1;
            }
        }
        let cap = crate::lease::max_lease(a.policy(ClientType::Web));
        assert_eq!(cap, 10);
        assert!(allowed <= 160, "allowed {allowed}");
        assert!(allowed >= 160 - cap, "allowed {allowed}");
    }

    #[test]
    fn policies_parse_from_a_setting() {
        let p = parse_policies("web=60000/70000, admin=5/6").unwrap();
        assert_eq!(
            p[ClientType::Web as usize],
            RatePolicy::per_minute(60_000, 70_000)
        );
        assert_eq!(
            p[ClientType::Mobile as usize],
            ClientType::Mobile.default_policy()
        );
        assert_eq!(p[ClientType::Admin as usize], RatePolicy::per_minute(5, 6));
        assert_eq!(
            parse_policies("").unwrap(),
            ClientType::ALL.map(ClientType::default_policy)
        );
        for bad in ["web", "web=5", "web=0/5", "desk=1/1", "web=6000/1"] {
            assert!(parse_policies(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decision_headers_and_error() {
        let d = RateDecision {
            allowed: false,
            limit: 500,
            remaining: 0,
            reset_epoch_secs: 1_698_765_432,
            retry_after_secs: 2,
        };
        let h = d.headers();
        assert_eq!(h[0].0.as_str(), "x-ratelimit-limit");
        assert_eq!(h[0].1, "500");
        assert_eq!(h[2].1, "1698765432");
        let err = d.into_error();
        assert_eq!(err.code, ErrorCode::RateLimitExceeded);
        let res = actix_web::ResponseError::error_response(&err);
        assert_eq!(res.status().as_u16(), 429);
        assert_eq!(res.headers().get(RETRY_AFTER).unwrap(), "2");
        assert_eq!(res.headers().get("x-ratelimit-remaining").unwrap(), "0");
    }
}
