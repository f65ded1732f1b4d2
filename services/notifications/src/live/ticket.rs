//! Single-use socket tickets: `POST /ws-ticket` keeps the caller's bearer
//! token in Redis under the SHA-256 of a random ticket for a few seconds; the
//! socket's `?ticket=` takes it out again (GETDEL: once), and the token is
//! checked as any other. The long-lived token never appears in a URL.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use deadpool_redis::redis;
use lawos_cache::Cache;
use lawos_core::ApiError;
use rand::RngCore;
use sha2::{Digest, Sha256};

fn key(cache: &Cache, ticket: &str) -> String {
    let digest = Sha256::digest(ticket.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    cache.key(&format!("notifications:ws-ticket:{hex}"))
}

/// A new ticket standing for `token` during `ttl`.
pub async fn issue(cache: &Cache, token: &str, ttl: Duration) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let ticket = URL_SAFE_NO_PAD.encode(bytes);
    let mut conn = cache.conn().await.map_err(ApiError::unavailable)?;
    let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
    let _: () = redis::cmd("SET")
        .arg(key(cache, &ticket))
        .arg(token)
        .arg("PX")
        .arg(ms)
        .query_async(&mut conn)
        .await
        .map_err(ApiError::unavailable)?;
    Ok(ticket)
}

/// The token a ticket stands for, once; `None` when unknown, used or expired.
pub async fn redeem(cache: &Cache, ticket: &str) -> Result<Option<String>, ApiError> {
    if ticket.len() > 100 {
        return Ok(None);
    }
    let mut conn = cache.conn().await.map_err(ApiError::unavailable)?;
    redis::cmd("GETDEL")
        .arg(key(cache, ticket))
        .query_async(&mut conn)
        .await
        .map_err(ApiError::unavailable)
}
