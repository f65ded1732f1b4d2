//! Validated tokens, remembered until they expire: the signature check (ES256,
//! about 90 µs of CPU) runs once per token and instance instead of once per
//! request. Clients send the same access token for its whole 15-minute life, so
//! nearly every request is a hit.
//!
//! - The key is the SHA-256 of the token, never the token itself: a memory dump
//!   of the cache gives nothing to replay.
//! - An entry is used only while the token itself would still pass
//!   (`now <= exp + leeway`); an expired token is validated again, and fails.
//! - Only successful validations are kept; a failing token is checked every time.
//! - Bounded: at capacity, expired entries are dropped first, then the whole map
//!   is cleared (the cost is one signature check per live token, once).
//! - What the cache does not change: the session revocation check runs on every
//!   request, cached token or not (see [`crate::TokenValidator::validate`]).
//!   A signing key withdrawn from the issuer's JWKS stops new tokens at once;
//!   tokens an instance already accepted stay accepted until `exp`, as they
//!   would at every instance that validated them before the withdrawal. To cut
//!   a session short, revoke it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::claims::Claims;

/// Tokens kept per instance (a few hundred bytes each).
pub const DEFAULT_CAPACITY: usize = 65_536;

/// SHA-256 of a token: what the cache is keyed by.
pub type TokenKey = [u8; 32];

/// (ring's SHA-256, the assembly implementation jsonwebtoken already links in:
/// several times faster than a portable one on CPUs without SHA extensions.)
pub fn key_of(token: &str) -> TokenKey {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

struct Entry {
    claims: Arc<Claims>,
    /// Unix seconds after which the token no longer passes (`exp + leeway`).
    valid_until: i64,
}

pub struct TokenCache {
    entries: RwLock<HashMap<TokenKey, Entry>>,
    capacity: usize,
}

impl TokenCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The claims of a token validated before, if it is still within its life at `now`.
    pub fn get(&self, key: &TokenKey, now: i64) -> Option<Arc<Claims>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| now <= e.valid_until)
            .map(|e| Arc::clone(&e.claims))
    }

    /// Remembers a token that just passed, until `exp + leeway`.
    pub fn insert(&self, key: TokenKey, claims: Arc<Claims>, leeway: i64, now: i64) {
        let valid_until = claims.exp.saturating_add(leeway);
        if valid_until < now {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, e| e.valid_until >= now);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                claims,
                valid_until,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn claims(exp_in: i64, now: i64) -> Arc<Claims> {
        let mut c = Claims::new("iss", "sub", "aud", Duration::from_secs(60));
        c.exp = now + exp_in;
        Arc::new(c)
    }

    #[test]
    fn an_entry_lives_until_exp_plus_leeway_and_not_after() {
        let cache = TokenCache::new(8);
        let now = 1_000_000;
        let key = key_of("a.b.c");
        cache.insert(key, claims(10, now), 30, now);
        assert!(cache.get(&key, now).is_some());
        assert!(cache.get(&key, now + 40).is_some());
        assert!(cache.get(&key, now + 41).is_none());
        assert!(cache.get(&key_of("a.b.d"), now).is_none());
    }

    #[test]
    fn the_key_is_the_sha256_of_the_token() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let hex: String = key_of("abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_already_expired_token_is_not_kept() {
        let cache = TokenCache::new(8);
        let now = 1_000_000;
        cache.insert(key_of("t"), claims(-100, now), 30, now);
        assert!(cache.is_empty());
    }

    #[test]
    fn at_capacity_expired_entries_go_first_then_everything() {
        let cache = TokenCache::new(3);
        let now = 1_000_000;
        cache.insert(key_of("old"), claims(1, now), 0, now);
        cache.insert(key_of("a"), claims(100, now), 0, now);
        cache.insert(key_of("b"), claims(100, now), 0, now);
        // "old" has expired by now + 10: it makes room.
        cache.insert(key_of("c"), claims(100, now), 0, now + 10);
        assert_eq!(cache.len(), 3);
        assert!(cache.get(&key_of("a"), now + 10).is_some());
        // Nothing expired: the map starts again with the newcomer.
        cache.insert(key_of("d"), claims(100, now), 0, now + 10);
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&key_of("d"), now + 10).is_some());
    }
}
