//! Exclusive admin locks on resources (`POST/GET/DELETE /support-access/locks`).
//!
//! The same protocol as `lawos_cache::Lock` (`SET key owner NX PX ttl`, release
//! only while the owner still matches, in one script), kept here because these
//! locks outlive the request that takes them: `Lock` hands back a guard that
//! releases when dropped, while a support lock is released by a later request,
//! perhaps on another instance, by its lock id. Beside the lock key, its
//! description (same TTL) and an index sorted by expiry let `GET` list them.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use deadpool_redis::redis::{self, Script};
use lawos_cache::Cache;
use lawos_core::{ApiError, ErrorCode, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::input::support::ValidLock;

/// KEYS: lock, description, index. ARGV: lock id, description, ttl ms, expiry ms.
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
            redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
            return 1
          end
          return 0",
    )
});

/// KEYS: lock, description, index. ARGV: lock id.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"redis.call('ZREM', KEYS[3], ARGV[1])
          redis.call('DEL', KEYS[2])
          if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
          return 0",
    )
});

const INDEX: &str = "support-locks";

/// A held lock, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldLock {
    pub id: Uuid,
    pub resource_type: String,
    pub resource_id: String,
    pub owner_user_id: Uuid,
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Locks in Redis; without Redis every call answers 503.
#[derive(Clone, Debug)]
pub struct Locks {
    cache: Option<Cache>,
}

fn lock_name(resource_type: &str, resource_id: &str) -> String {
    format!("support-lock:{resource_type}:{resource_id}")
}

fn info_name(id: Uuid) -> String {
    format!("support-lock-info:{id}")
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(format!("locks unavailable: {e}"))
}

impl Locks {
    pub fn new(cache: Option<Cache>) -> Self {
        Self { cache }
    }

    /// The Redis the locks (and revocation marks) live in.
    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    fn redis(&self) -> Result<&Cache, ApiError> {
        self.cache.as_ref().ok_or_else(|| unavailable("no Redis"))
    }

    /// Takes the resource's lock for `owner`; 409 `RESOURCE_CONFLICT` while held.
    pub async fn acquire(&self, owner: UserId, valid: ValidLock) -> Result<HeldLock, ApiError> {
        let cache = self.redis()?;
        let now = Utc::now();
        let held = HeldLock {
            id: Uuid::now_v7(),
            expires_at: now + chrono::Duration::seconds(valid.ttl_seconds),
            resource_type: valid.resource_type,
            resource_id: valid.resource_id,
            owner_user_id: owner.0,
            acquired_at: now,
        };
        let lock_key = cache.key(&lock_name(&held.resource_type, &held.resource_id));
        let body = serde_json::to_string(&held).map_err(ApiError::internal)?;
        let mut conn = cache.conn().await.map_err(unavailable)?;
        let taken: i64 = ACQUIRE
            .key(&lock_key)
            .key(cache.key(&info_name(held.id)))
            .key(cache.key(INDEX))
            .arg(held.id.to_string())
            .arg(body)
            .arg(valid.ttl_seconds * 1000)
            .arg(held.expires_at.timestamp_millis())
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if taken == 1 {
            return Ok(held);
        }
        let holder: Option<String> = redis::cmd("GET")
            .arg(&lock_key)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Err(ApiError::new(
            ErrorCode::ResourceConflict,
            format!("{} {} is locked", held.resource_type, held.resource_id),
        )
        .with_details(json!({ "lockId": holder })))
    }

    /// The lock `id`, while held.
    pub async fn find(&self, id: Uuid) -> Result<Option<HeldLock>, ApiError> {
        let found = self.redis()?.get_json::<HeldLock>(&info_name(id)).await;
        found.map_err(unavailable)
    }

    /// Every lock held now, soonest to expire first.
    pub async fn list(&self) -> Result<Vec<HeldLock>, ApiError> {
        let cache = self.redis()?;
        let index = cache.key(INDEX);
        let mut conn = cache.conn().await.map_err(unavailable)?;
        let (_, ids): (i64, Vec<String>) = redis::pipe()
            .atomic()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&index)
            .arg("-inf")
            .arg(Utc::now().timestamp_millis())
            .cmd("ZRANGE")
            .arg(&index)
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids
            .iter()
            .filter_map(|id| id.parse().ok())
            .map(|id| cache.key(&info_name(id)))
            .collect();
        let bodies: Vec<Option<String>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(bodies
            .into_iter()
            .flatten()
            .filter_map(|b| serde_json::from_str(&b).ok())
            .collect())
    }

    /// Releases `lock`; false when it had already expired.
    pub async fn release(&self, lock: &HeldLock) -> Result<bool, ApiError> {
        let cache = self.redis()?;
        let mut conn = cache.conn().await.map_err(unavailable)?;
        let n: i64 = RELEASE
            .key(cache.key(&lock_name(&lock.resource_type, &lock.resource_id)))
            .key(cache.key(&info_name(lock.id)))
            .key(cache.key(INDEX))
            .arg(lock.id.to_string())
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(n == 1)
    }
}
