//! Logins in progress: what the callback needs (provider, nonce, PKCE verifier,
//! the firm asked for), kept in Redis under the `state` for 10 minutes and
//! taken out exactly once (`GETDEL`), so a state cannot be replayed.

use std::time::Duration;

use deadpool_redis::redis;
use lawos_cache::Cache;
use lawos_core::ApiError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long a login may take between `/login` and `/callback`.
pub const TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingLogin {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub firm_id: Option<Uuid>,
}

/// The key of `state`: its SHA-256, so Redis never holds a usable state.
fn key(state: &str) -> String {
    let digest = Sha256::digest(state.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sso-state:{hex}")
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(format!("SSO login state unavailable: {e}"))
}

pub async fn put(cache: &Cache, state: &str, login: &PendingLogin) -> Result<(), ApiError> {
    cache
        .set_json(&key(state), login, TTL)
        .await
        .map_err(unavailable)
}

/// The login of `state`, removed in the same step; `None` when unknown,
/// expired or already taken.
pub async fn take(cache: &Cache, state: &str) -> Result<Option<PendingLogin>, ApiError> {
    let mut conn = cache.conn().await.map_err(unavailable)?;
    let raw: Option<String> = redis::cmd("GETDEL")
        .arg(cache.key(&key(state)))
        .query_async(&mut conn)
        .await
        .map_err(unavailable)?;
    Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
}
