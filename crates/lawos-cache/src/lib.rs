//! Redis for LawOS: a pooled [`Cache`] with JSON read-through/write-through
//! helpers, the per-client-type [`RateLimiter`] (Backstage §7.4) with its actix
//! middleware, and compare-and-delete [`Lock`]s.
//!
//! Every key this crate writes goes through [`Cache::key`], so one prefix
//! (`LAWOS_REDIS_PREFIX`, or a per-test prefix) isolates an environment.

pub mod lease;
mod lock;
mod middleware;
mod rate_limit;

pub use lock::{Lock, LockGuard};
pub use middleware::{Identity, RateLimit, RateLimitMiddleware, peer_identity, rate_limit};
pub use rate_limit::{
    ClientType, ClientTypeMap, RateDecision, RateLimiter, RatePolicy, parse_policies,
};

use deadpool_redis::redis::{self, AsyncCommands};
use deadpool_redis::{Pool, PoolConfig, Runtime, Timeouts};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long a caller waits for a pooled connection, a new connection, or a
/// recycle check before the operation fails (and the limiter fails open).
const POOL_TIMEOUT: Duration = Duration::from_secs(2);

/// Where Redis is and which prefix this process's keys carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://host:port/db`.
    pub url: String,
    /// Prepended to every key, joined with `:` (`lawos` → `lawos:firm:…`).
    pub key_prefix: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("invalid Redis configuration: {0}")]
    Config(#[from] deadpool_redis::CreatePoolError),
    #[error("Redis connection unavailable: {0}")]
    Pool(#[from] deadpool_redis::PoolError),
    #[error("Redis command failed: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cached value is not valid JSON for its type: {0}")]
    Json(#[from] serde_json::Error),
}

/// A Redis connection pool and the key prefix. Cheap to clone.
#[derive(Clone)]
pub struct Cache {
    pool: Pool,
    prefix: String,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Builds the pool. Connections are opened lazily, so this succeeds while
    /// Redis is down; use [`Cache::ping`] for readiness.
    pub fn new(config: &RedisConfig) -> Result<Self, CacheError> {
        let mut cfg = deadpool_redis::Config::from_url(config.url.clone());
        let timeouts = Timeouts {
            wait: Some(POOL_TIMEOUT),
            create: Some(POOL_TIMEOUT),
            recycle: Some(POOL_TIMEOUT),
        };
        cfg.pool = Some(PoolConfig {
            timeouts,
            ..PoolConfig::default()
        });
        let pool = cfg.create_pool(Some(Runtime::Tokio1))?;
        Ok(Self {
            pool,
            prefix: config.key_prefix.clone(),
        })
    }

    /// Shorthand for [`Cache::new`].
    pub fn connect(url: &str, key_prefix: &str) -> Result<Self, CacheError> {
        Self::new(&RedisConfig {
            url: url.to_owned(),
            key_prefix: key_prefix.to_owned(),
        })
    }

    /// The full Redis key for `name`: `{prefix}:{name}` (or `name` with an empty prefix).
    pub fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else if self.prefix.ends_with(':') {
            format!("{}{name}", self.prefix)
        } else {
            format!("{}:{name}", self.prefix)
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A pooled connection, for commands this crate has no helper for. Prefix
    /// keys with [`Cache::key`].
    pub async fn conn(&self) -> Result<deadpool_redis::Connection, CacheError> {
        Ok(self.pool.get().await?)
    }

    /// `PING`, for `/readyz`.
    pub async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.conn().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }

    /// The value cached under `name`, if any. A value that no longer parses
    /// as `T` (an older shape) is an error; callers treat errors as misses.
    pub async fn get_json<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, CacheError> {
        let mut conn = self.conn().await?;
        let raw: Option<String> = conn.get(self.key(name)).await?;
        raw.map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(Into::into)
    }

    /// Caches `value` under `name` for `ttl` (at least one millisecond).
    pub async fn set_json<T: Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let body = serde_json::to_string(value)?;
        let mut conn = self.conn().await?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let _: () = conn.pset_ex(self.key(name), body, ms).await?;
        Ok(())
    }

    /// Stores `value` only if `name` holds nothing: a read-through fill that can
    /// never overwrite a newer value written through by a concurrent update.
    /// True when it was stored.
    pub async fn fill_json<T: Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let body = serde_json::to_string(value)?;
        let mut conn = self.conn().await?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let stored: Option<String> = deadpool_redis::redis::cmd("SET")
            .arg(self.key(name))
            .arg(body)
            .arg("PX")
            .arg(ms)
            .arg("NX")
            .query_async(&mut conn)
            .await?;
        Ok(stored.is_some())
    }

    /// Drops `name`; true when it existed.
    pub async fn delete(&self, name: &str) -> Result<bool, CacheError> {
        let mut conn = self.conn().await?;
        let removed: u64 = conn.del(self.key(name)).await?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Cache;

    pub fn redis_url() -> String {
        std::env::var("LAWOS_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
    }

    /// A cache whose keys no other test shares.
    pub fn cache() -> Cache {
        Cache::connect(
            &redis_url(),
            &format!("test:{}", uuid::Uuid::now_v7().simple()),
        )
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Firm {
        id: u32,
        name: String,
    }

    #[test]
    fn keys_carry_the_prefix_once() {
        let c = |p: &str| Cache::connect("redis://127.0.0.1:6379", p).unwrap();
        assert_eq!(c("lawos").key("firm:1"), "lawos:firm:1");
        assert_eq!(c("lawos:").key("firm:1"), "lawos:firm:1");
        assert_eq!(c("").key("firm:1"), "firm:1");
    }

    #[tokio::test]
    async fn json_round_trips_expires_and_deletes() {
        let cache = test_support::cache();
        cache.ping().await.unwrap();
        let firm = Firm {
            id: 7,
            name: "Smith & Co".into(),
        };
        assert_eq!(cache.get_json::<Firm>("firm:7").await.unwrap(), None);
        cache
            .set_json("firm:7", &firm, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(cache.get_json::<Firm>("firm:7").await.unwrap(), Some(firm));

        // Stored under the prefixed key, with a TTL.
        let mut conn = cache.conn().await.unwrap();
        let ttl: i64 = conn.pttl(cache.key("firm:7")).await.unwrap();
        assert!(ttl > 0 && ttl <= 30_000, "ttl {ttl}");
        let bare: Option<String> = conn.get("firm:7").await.unwrap();
        assert_eq!(bare, None);

        assert!(cache.delete("firm:7").await.unwrap());
        assert!(!cache.delete("firm:7").await.unwrap());
        assert_eq!(cache.get_json::<Firm>("firm:7").await.unwrap(), None);

        cache
            .set_json("short", &1, Duration::from_millis(50))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get_json::<u32>("short").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_value_of_another_shape_is_an_error_not_a_panic() {
        let cache = test_support::cache();
        cache
            .set_json("x", "not a firm", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(matches!(
            cache.get_json::<Firm>("x").await,
            Err(CacheError::Json(_))
        ));
    }

    #[tokio::test]
    async fn an_unreachable_server_is_an_error() {
        let cache = Cache::connect("redis://127.0.0.1:1", "t").unwrap();
        assert!(cache.ping().await.is_err());
    }
}
