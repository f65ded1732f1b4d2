//! The tenants service's state: its pool and the firm cache (Redis
//! `firm:{firmId}:settings`, 30 minutes, dropped on every write).

use lawos_cache::Cache;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use std::time::Duration;
use uuid::Uuid;

use crate::model::Firm;
use crate::storage;

pub const FIRM_CACHE_TTL: Duration = Duration::from_secs(30 * 60);

#[derive(Clone)]
pub struct TenantsState {
    pub db: DbPool,
    pub cache: Option<Cache>,
    pub audit: lawos_http::audit::AuditTrail,
}

fn cache_key(firm_id: Uuid) -> String {
    format!("firm:{firm_id}:settings")
}

impl TenantsState {
    /// The firm, from the cache or the database. The caller has already decided
    /// that `ctx` may read it; the cache never widens what a caller can see.
    pub async fn cached_firm(
        &self,
        ctx: &TenantCtx,
        firm_id: Uuid,
    ) -> Result<Option<Firm>, ApiError> {
        if let Some(cache) = &self.cache
            && let Ok(Some(firm)) = cache.get_json::<Firm>(&cache_key(firm_id)).await
        {
            return Ok(Some(firm));
        }
        let firm = with_tenant(&self.db, ctx, |conn| {
            storage::find_firm(conn, firm_id).scope_boxed()
        })
        .await?;
        // Fill only an empty slot: a concurrent update's write-through always wins.
        if let (Some(cache), Some(firm)) = (&self.cache, &firm)
            && let Err(e) = cache
                .fill_json(&cache_key(firm_id), firm, FIRM_CACHE_TTL)
                .await
        {
            tracing::warn!(error = %e, "firm cache fill failed");
        }
        Ok(firm)
    }

    /// Write-through after a committed change: the cache holds the new firm at once.
    pub async fn write_through(&self, firm: &Firm) {
        if let Some(cache) = &self.cache
            && let Err(e) = cache
                .set_json(&cache_key(firm.id), firm, FIRM_CACHE_TTL)
                .await
        {
            tracing::warn!(error = %e, "firm cache write failed; dropping the entry");
            let _ = cache.delete(&cache_key(firm.id)).await;
        }
    }
}
