//! [`Authz`]: capabilities fetched from rbac once, kept in process and in Redis
//! (`perm:{firm}:{user}`), never longer than five minutes nor past the first
//! instant a grant, assignment or membership they depend on starts or ends
//! (`validUntil`), and dropped on `permission.changed`.
//!
//! Invalidation races: a generation counter is bumped by every invalidation; a
//! fill that began before one is not cached (and a Redis write that overlapped
//! one is deleted again), so a fetch in flight cannot resurrect what an event
//! just dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lawos_auth::{Principal, ServiceTokenSource};
use lawos_cache::Cache;
use lawos_core::{ApiError, FirmId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::Access;
use crate::capabilities::{Capabilities, CapabilitiesDoc};
use crate::client::RbacClient;
use crate::decision::{Decision, Resource};

/// The longest a cached capabilities entry lives.
pub const CACHE_TTL: Duration = Duration::from_secs(300);

type Key = (Uuid, Uuid);

#[derive(Clone)]
struct Slot {
    caps: Arc<Capabilities>,
    expires: Instant,
}

/// The Redis form: the document and the instant it stops being valid.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    expires_at: DateTime<Utc>,
    capabilities: CapabilitiesDoc,
}

/// Where decisions came from since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthzStats {
    pub local_hits: u64,
    pub redis_hits: u64,
    pub rbac_calls: u64,
    pub invalidations: u64,
    /// Invalidation subscriptions started (the first one and each reconnect).
    pub sessions: u64,
}

#[derive(Default)]
struct Counters {
    local_hits: AtomicU64,
    redis_hits: AtomicU64,
    rbac_calls: AtomicU64,
    invalidations: AtomicU64,
    sessions: AtomicU64,
}

struct Inner {
    rbac: RbacClient,
    redis: Option<Cache>,
    local: RwLock<HashMap<Key, Slot>>,
    generation: AtomicU64,
    ttl: Duration,
    counters: Counters,
}

/// The access-decision client a service holds (cheap to clone).
#[derive(Clone)]
pub struct Authz {
    inner: Arc<Inner>,
}

fn redis_key(firm: Uuid, user: Uuid) -> String {
    format!("perm:{firm}:{user}")
}

impl Authz {
    /// Decisions from the rbac service at `rbac_url`, called with `tokens`;
    /// `redis` is the shared second level (none: in process only).
    pub fn new(rbac_url: &str, tokens: Arc<dyn ServiceTokenSource>, redis: Option<Cache>) -> Self {
        Self::with_ttl(rbac_url, tokens, redis, CACHE_TTL)
    }

    pub fn with_ttl(
        rbac_url: &str,
        tokens: Arc<dyn ServiceTokenSource>,
        redis: Option<Cache>,
        ttl: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                rbac: RbacClient::new(rbac_url, tokens),
                redis,
                local: RwLock::new(HashMap::new()),
                generation: AtomicU64::new(0),
                ttl,
                counters: Counters::default(),
            }),
        }
    }

    /// The service's one `Authz` (its rbac URL, service token and Redis): every
    /// call with the same environment answers the same instance, so the routes
    /// (`mount`) decide with the cache that the invalidation worker (`workers`)
    /// empties. Keyed by service, Redis prefix and database, since tests and the
    /// all-in-one run several services and environments in one process.
    pub fn for_service(env: &lawos_http::runtime::ServiceEnv) -> Self {
        static INSTANCES: OnceLock<Mutex<HashMap<String, Authz>>> = OnceLock::new();
        let key = format!(
            "{}|{}|{}",
            env.name, env.config.redis_prefix, env.config.database_url
        );
        let mut instances = INSTANCES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        instances
            .entry(key)
            .or_insert_with(|| {
                Self::new(
                    &env.config.rbac_url,
                    env.service_tokens.clone(),
                    env.cache.clone(),
                )
            })
            .clone()
    }

    pub fn stats(&self) -> AuthzStats {
        let c = &self.inner.counters;
        AuthzStats {
            local_hits: c.local_hits.load(Ordering::Relaxed),
            redis_hits: c.redis_hits.load(Ordering::Relaxed),
            rbac_calls: c.rbac_calls.load(Ordering::Relaxed),
            invalidations: c.invalidations.load(Ordering::Relaxed),
            sessions: c.sessions.load(Ordering::Relaxed),
        }
    }

    /// The caller's access in `firm`. A user token without a user id is refused.
    pub async fn access(&self, principal: &Principal, firm: FirmId) -> Result<Access, ApiError> {
        if principal.is_service() {
            return Ok(Access::Service);
        }
        let user = principal.user_id.ok_or_else(|| {
            ApiError::permission_denied("This token does not name a platform user")
        })?;
        Ok(Access::User(self.capabilities(firm.0, user.0).await?))
    }

    /// [`access`](Self::access), then `scope` on `resource` (403 or 404 when refused).
    pub async fn authorize(
        &self,
        principal: &Principal,
        firm: FirmId,
        scope: &str,
        resource: &Resource,
    ) -> Result<Access, ApiError> {
        let access = self.access(principal, firm).await?;
        access.require(scope, resource)?;
        Ok(access)
    }

    /// [`access`](Self::access), then `scope` at firm level (a list, a create).
    pub async fn authorize_firm(
        &self,
        principal: &Principal,
        firm: FirmId,
        scope: &str,
    ) -> Result<Access, ApiError> {
        let access = self.access(principal, firm).await?;
        access.require_firm(scope)?;
        Ok(access)
    }

    /// The decision for `user` of `firm` (not the caller: the recipient of
    /// something, such as a notification) on `resource` under `scope`, from
    /// their capabilities as they are now (the same cache and invalidation).
    pub async fn decide_for(
        &self,
        firm: FirmId,
        user: UserId,
        scope: &str,
        resource: &Resource,
    ) -> Result<Decision, ApiError> {
        Ok(self
            .capabilities(firm.0, user.0)
            .await?
            .decide(scope, resource))
    }

    /// The user's capabilities: in process, else Redis, else one call to rbac.
    pub async fn capabilities(
        &self,
        firm: Uuid,
        user: Uuid,
    ) -> Result<Arc<Capabilities>, ApiError> {
        if let Some(caps) = self.cached(firm, user) {
            self.inner
                .counters
                .local_hits
                .fetch_add(1, Ordering::Relaxed);
            return Ok(caps);
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        if let Some(stored) = self.read_redis(firm, user).await {
            self.inner
                .counters
                .redis_hits
                .fetch_add(1, Ordering::Relaxed);
            return Ok(self.keep_local(generation, stored.capabilities, stored.expires_at));
        }
        let doc = self.inner.rbac.capabilities(firm, user).await?;
        self.inner
            .counters
            .rbac_calls
            .fetch_add(1, Ordering::Relaxed);
        let now = Utc::now();
        let horizon = now + chrono::Duration::from_std(self.inner.ttl).unwrap_or_default();
        let expires_at = doc.valid_until.map_or(horizon, |v| v.min(horizon));
        self.keep_in_redis(generation, &doc, expires_at).await;
        Ok(self.keep_local(generation, doc, expires_at))
    }

    /// A warm in-process entry, if any.
    pub fn cached(&self, firm: Uuid, user: Uuid) -> Option<Arc<Capabilities>> {
        let local = self.inner.local.read().ok()?;
        local
            .get(&(firm, user))
            .filter(|slot| slot.expires > Instant::now())
            .map(|slot| slot.caps.clone())
    }

    fn keep_local(
        &self,
        generation: u64,
        doc: CapabilitiesDoc,
        expires_at: DateTime<Utc>,
    ) -> Arc<Capabilities> {
        let key = (doc.firm_id, doc.user_id);
        let caps = Arc::new(Capabilities::from(doc));
        let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
        if left.is_zero() {
            return caps;
        }
        if let Ok(mut local) = self.inner.local.write()
            && self.inner.generation.load(Ordering::SeqCst) == generation
        {
            local.insert(
                key,
                Slot {
                    caps: caps.clone(),
                    expires: Instant::now() + left,
                },
            );
        }
        caps
    }

    async fn read_redis(&self, firm: Uuid, user: Uuid) -> Option<Stored> {
        let redis = self.inner.redis.as_ref()?;
        match redis.get_json::<Stored>(&redis_key(firm, user)).await {
            Ok(found) => found.filter(|s| s.expires_at > Utc::now()),
            Err(e) => {
                tracing::warn!(error = %e, "capabilities cache unavailable; asking rbac");
                None
            }
        }
    }

    async fn keep_in_redis(
        &self,
        generation: u64,
        doc: &CapabilitiesDoc,
        expires_at: DateTime<Utc>,
    ) {
        let Some(redis) = &self.inner.redis else {
            return;
        };
        let Ok(ttl) = (expires_at - Utc::now()).to_std() else {
            return;
        };
        if self.inner.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let key = redis_key(doc.firm_id, doc.user_id);
        let stored = Stored {
            expires_at,
            capabilities: doc.clone(),
        };
        if let Err(e) = redis.set_json(&key, &stored, ttl).await {
            tracing::warn!(error = %e, "capabilities not cached in Redis");
            return;
        }
        // An invalidation that ran while this was written may have deleted before it.
        if self.inner.generation.load(Ordering::SeqCst) != generation {
            let _ = redis.delete(&key).await;
        }
    }

    /// Drops the cached capabilities of `users` in `firm` (every user of the firm
    /// when `users` is empty), here and in Redis.
    pub async fn invalidate(&self, firm: Uuid, users: &[Uuid]) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner
            .counters
            .invalidations
            .fetch_add(1, Ordering::Relaxed);
        let dropped: Vec<Key> = match self.inner.local.write() {
            Ok(mut local) => {
                let gone: Vec<Key> = local
                    .keys()
                    .filter(|(f, u)| *f == firm && (users.is_empty() || users.contains(u)))
                    .copied()
                    .collect();
                for key in &gone {
                    local.remove(key);
                }
                gone
            }
            Err(_) => Vec::new(),
        };
        let Some(redis) = &self.inner.redis else {
            return;
        };
        let targets: Vec<Uuid> = if users.is_empty() {
            dropped.iter().map(|(_, u)| *u).collect()
        } else {
            users.to_vec()
        };
        for user in targets {
            if let Err(e) = redis.delete(&redis_key(firm, user)).await {
                tracing::warn!(error = %e, %firm, %user, "capabilities not dropped from Redis");
            }
        }
    }

    /// An invalidation subscription (re)started: what it may have missed is dropped.
    pub(crate) fn subscribed(&self) {
        self.clear_local();
        self.inner.counters.sessions.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops every in-process entry (after a broker reconnect: invalidations may
    /// have been missed).
    pub fn clear_local(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut local) = self.inner.local.write() {
            local.clear();
        }
    }
}
