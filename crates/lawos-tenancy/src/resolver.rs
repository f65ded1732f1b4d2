//! Resolution of hosts, slugs and Logto organizations to firms, cached in process
//! (positive and negative answers) so a warm request makes no call.

use lawos_core::{ApiError, FirmId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A firm found by a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub firm_id: FirmId,
}

/// Looks firms up by `host`, `slug` or `logto_org_id`.
pub trait FirmResolver: Send + Sync {
    fn resolve<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<Option<Resolved>, ApiError>>;
}

/// (lookup kind, value)
type CacheKey = (String, String);
/// (answer, when it was fetched)
type CacheEntry = (Option<Resolved>, Instant);

/// Asks the tenants service (`GET /api/v1/tenants/resolve?…`) and caches answers.
#[derive(Clone)]
pub struct TenantsResolver {
    base_url: String,
    http: reqwest::Client,
    ttl: Duration,
    cache: Arc<Mutex<HashMap<CacheKey, CacheEntry>>>,
}

impl TenantsResolver {
    pub fn new(base_url: impl Into<String>, ttl: Duration) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            ttl,
            cache: Arc::default(),
        }
    }

    fn cached(&self, key: &CacheKey) -> Option<Option<Resolved>> {
        let cache = self.cache.lock().ok()?;
        let (value, at) = cache.get(key)?;
        (at.elapsed() < self.ttl).then_some(*value)
    }

    async fn fetch(&self, key: &str, value: &str) -> Result<Option<Resolved>, ApiError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Body {
            firm_id: FirmId,
        }
        let url = format!("{}/api/v1/tenants/resolve", self.base_url);
        let res = self
            .http
            .get(url)
            .query(&[(key, value)])
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        match res.status().as_u16() {
            200 => {
                let body: Body = res.json().await.map_err(ApiError::internal)?;
                Ok(Some(Resolved {
                    firm_id: body.firm_id,
                }))
            }
            404 => Ok(None),
            s => Err(ApiError::unavailable(format!(
                "tenant resolution answered {s}"
            ))),
        }
    }
}

impl FirmResolver for TenantsResolver {
    fn resolve<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<Option<Resolved>, ApiError>> {
        Box::pin(async move {
            // Normalised as the tenants service does: hosts and slugs are
            // case-insensitive, Logto organization ids are not.
            let value = value.trim();
            let value = if key == "logto_org_id" {
                value.to_owned()
            } else {
                value.to_ascii_lowercase()
            };
            let cache_key = (key.to_owned(), value);
            if let Some(hit) = self.cached(&cache_key) {
                return Ok(hit);
            }
            let found = self.fetch(key, &cache_key.1).await?;
            if let Ok(mut cache) = self.cache.lock() {
                cache.insert(cache_key, (found, Instant::now()));
            }
            Ok(found)
        })
    }
}
