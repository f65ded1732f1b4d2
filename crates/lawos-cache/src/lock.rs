//! Single-instance Redis locks: `SET key token NX PX ttl` with a random owner
//! token; release and extend only act while the token still matches (one Lua
//! compare-and-act each), so a holder whose lock expired and was taken by
//! someone else cannot release or extend the new holder's lock.
//!
//! The TTL is the safety net: a holder that dies frees the lock when it
//! expires. Pick a TTL longer than the work, or [`LockGuard::extend`] it.

use deadpool_redis::redis::{self, Script};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use crate::{Cache, CacheError};

static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"#,
    )
});

static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"#,
    )
});

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Named locks under `{prefix}:lock:{name}`.
#[derive(Clone, Debug)]
pub struct Lock {
    cache: Cache,
}

impl Lock {
    pub fn new(cache: Cache) -> Self {
        Self { cache }
    }

    /// Takes `name` for `ttl` if nobody holds it; `None` when someone does.
    pub async fn acquire(
        &self,
        name: &str,
        ttl: Duration,
    ) -> Result<Option<LockGuard>, CacheError> {
        let key = self.cache.key(&format!("lock:{name}"));
        // UUIDv7: a timestamp plus 74 random bits, unique per acquisition.
        let token = uuid::Uuid::now_v7().simple().to_string();
        let mut conn = self.cache.conn().await?;
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut conn)
            .await?;
        Ok(set.map(|_| LockGuard {
            cache: self.cache.clone(),
            key: Arc::from(key),
            token: Arc::from(token),
            done: false,
        }))
    }
}

/// A held lock. [`LockGuard::release`] it when done; a guard dropped without
/// releasing releases in the background (when inside a Tokio runtime), or
/// else lets the TTL free it.
#[derive(Debug)]
pub struct LockGuard {
    cache: Cache,
    key: Arc<str>,
    token: Arc<str>,
    done: bool,
}

impl LockGuard {
    /// The full Redis key of the lock.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// This holder's owner token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Frees the lock if this guard still owns it; false when it had expired
    /// (and perhaps been taken by another holder, whose lock stays).
    pub async fn release(mut self) -> Result<bool, CacheError> {
        self.done = true;
        release(&self.cache, &self.key, &self.token).await
    }

    /// Resets the TTL to `ttl` if this guard still owns the lock.
    pub async fn extend(&self, ttl: Duration) -> Result<bool, CacheError> {
        let mut conn = self.cache.conn().await?;
        let n: i64 = EXTEND
            .key(&*self.key)
            .arg(&*self.token)
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await?;
        Ok(n == 1)
    }
}

async fn release(cache: &Cache, key: &str, token: &str) -> Result<bool, CacheError> {
    let mut conn = cache.conn().await?;
    let n: i64 = RELEASE.key(key).arg(token).invoke_async(&mut conn).await?;
    Ok(n == 1)
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let (cache, key, token) = (
                self.cache.clone(),
                Arc::clone(&self.key),
                Arc::clone(&self.token),
            );
            handle.spawn(async move {
                if let Err(e) = release(&cache, &key, &token).await {
                    tracing::warn!(error = %e, key = %key, "releasing a dropped lock failed; it frees at its TTL");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;

    #[tokio::test]
    async fn only_one_holder_at_a_time() {
        let locks = Lock::new(test_support::cache());
        let a = locks
            .acquire("job", Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap();
        assert!(
            locks
                .acquire("job", Duration::from_secs(10))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            locks
                .acquire("other", Duration::from_secs(10))
                .await
                .unwrap()
                .is_some()
        );
        assert!(a.key().ends_with(":lock:job"));
        assert!(a.release().await.unwrap());
        let b = locks
            .acquire("job", Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap();
        assert!(b.release().await.unwrap());
    }

    #[tokio::test]
    async fn concurrent_acquirers_get_exactly_one_lock() {
        let locks = Lock::new(test_support::cache());
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let locks = locks.clone();
                tokio::spawn(async move {
                    locks
                        .acquire("race", Duration::from_secs(10))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut held = Vec::new();
        for t in tasks {
            held.extend(t.await.unwrap());
        }
        assert_eq!(held.len(), 1);
    }

    #[tokio::test]
    async fn expiry_frees_it_and_the_old_owner_cannot_touch_the_new_lock() {
        let cache = test_support::cache();
        let locks = Lock::new(cache.clone());
        let a = locks
            .acquire("job", Duration::from_millis(150))
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        let b = locks
            .acquire("job", Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap();
        assert_ne!(a.token(), b.token());

        // The wrong owner can neither extend nor release.
        assert!(!a.extend(Duration::from_secs(60)).await.unwrap());
        assert!(!a.release().await.unwrap());
        assert!(
            locks
                .acquire("job", Duration::from_secs(10))
                .await
                .unwrap()
                .is_none()
        );

        // Nor can a forged token.
        assert!(!release(&cache, b.key(), "not-the-token").await.unwrap());
        assert!(
            locks
                .acquire("job", Duration::from_secs(10))
                .await
                .unwrap()
                .is_none()
        );

        assert!(b.release().await.unwrap());
        assert!(
            locks
                .acquire("job", Duration::from_secs(10))
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn extend_keeps_the_lock_past_its_first_ttl() {
        let locks = Lock::new(test_support::cache());
        let a = locks
            .acquire("long", Duration::from_millis(200))
            .await
            .unwrap()
            .unwrap();
        assert!(a.extend(Duration::from_secs(10)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            locks
                .acquire("long", Duration::from_secs(10))
                .await
                .unwrap()
                .is_none()
        );
        assert!(a.release().await.unwrap());
    }

    #[tokio::test]
    async fn a_dropped_guard_releases_in_the_background() {
        let locks = Lock::new(test_support::cache());
        drop(
            locks
                .acquire("dropped", Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap(),
        );
        let mut freed = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if let Some(g) = locks
                .acquire("dropped", Duration::from_secs(60))
                .await
                .unwrap()
            {
                g.release().await.unwrap();
                freed = true;
                break;
            }
        }
        assert!(freed);
    }
}
