//! The session revocation check every service's validator applies: a token
//! whose `sid` is marked `revoked-sid:{sid}` in Redis is refused (401
//! `AUTH_TOKEN_INVALID`). The auth service writes the mark when a support
//! session is revoked, with a TTL covering the tokens' remaining lifetime.
//!
//! One Redis `GET` per request whose token carries a `sid` (user tokens;
//! service tokens have none), on the pooled connection the process already
//! keeps: a local round trip well under a millisecond, and a revocation
//! takes effect on the very next request, in every process. Should Redis
//! fail, the validator lets an ordinary user token through (logged; it still
//! expires by `exp`) and refuses an act-as token of a support session (503):
//! those are the sessions revocation exists for.

use lawos_auth::SessionRevocation;
use lawos_cache::Cache;

/// Prefix of the Redis names marking a revoked session (under the cache prefix).
pub const REVOKED_SID_PREFIX: &str = "revoked-sid:";

/// Reads `revoked-sid:{sid}` in Redis.
#[derive(Clone, Debug)]
pub struct RedisRevocation {
    cache: Cache,
}

impl RedisRevocation {
    pub fn new(cache: Cache) -> Self {
        Self { cache }
    }
}

#[async_trait::async_trait]
impl SessionRevocation for RedisRevocation {
    async fn is_revoked(&self, session_id: &str) -> Result<bool, String> {
        let name = format!("{REVOKED_SID_PREFIX}{session_id}");
        self.cache
            .get_json::<serde_json::Value>(&name)
            .await
            .map(|mark| mark.is_some())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_marked_session_is_revoked() {
        let url = std::env::var("LAWOS_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        let cache =
            Cache::connect(&url, &format!("test:{}", uuid::Uuid::now_v7().simple())).unwrap();
        let check = RedisRevocation::new(cache.clone());
        assert_eq!(check.is_revoked("s1").await, Ok(false));
        cache
            .set_json("revoked-sid:s1", &true, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(check.is_revoked("s1").await, Ok(true));
        assert_eq!(check.is_revoked("s2").await, Ok(false));
        // Redis unreachable: the check says it could not be made.
        let down = RedisRevocation::new(Cache::connect("redis://127.0.0.1:1", "x").unwrap());
        assert!(down.is_revoked("s1").await.is_err());
    }
}
