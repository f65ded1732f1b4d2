//! Drains the requests that every service queued under support sessions
//! (`lawos_http::support_log`) into `support_access_log`, once a second.

use std::collections::HashMap;
use std::time::Duration;

use deadpool_redis::redis;
use lawos_cache::Cache;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};
use lawos_http::support_log::{LIST, SupportAccess};
use uuid::Uuid;

use crate::storage::support::{self, AccessLogRow};

const BATCH: usize = 200;
const INTERVAL: Duration = Duration::from_secs(1);

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(format!("support access log: {e}"))
}

/// Moves up to one batch from Redis into the table; the number written.
/// Entries of unknown sessions (not issued here) are dropped with a warning.
pub async fn drain_once(db: &DbPool, cache: &Cache) -> Result<usize, ApiError> {
    let mut conn = cache.conn().await.map_err(unavailable)?;
    let raw: Option<Vec<String>> = redis::cmd("RPOP")
        .arg(cache.key(LIST))
        .arg(BATCH)
        .query_async(&mut conn)
        .await
        .map_err(unavailable)?;
    let entries: Vec<(Uuid, SupportAccess)> = raw
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_str::<SupportAccess>(r).ok())
        .filter_map(|e| Some((e.session_id.parse().ok()?, e)))
        .collect();
    if entries.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = entries.iter().map(|(id, _)| *id).collect();
    with_tenant(db, &TenantCtx::platform(None), |conn| {
        async move {
            let firms: HashMap<Uuid, Uuid> =
                support::firms_of(conn, &ids).await?.into_iter().collect();
            let rows: Vec<AccessLogRow> = entries
                .into_iter()
                .filter_map(|(sid, e)| {
                    let Some(firm_id) = firms.get(&sid) else {
                        tracing::warn!(%sid, "support access entry of an unknown session dropped");
                        return None;
                    };
                    Some(AccessLogRow {
                        id: Uuid::now_v7(),
                        session_id: sid,
                        firm_id: *firm_id,
                        service: e.service.chars().take(40).collect(),
                        method: e.method.chars().take(10).collect(),
                        path: e.path.chars().take(2000).collect(),
                        status: i16::try_from(e.status).unwrap_or(599).clamp(100, 599),
                        at: e.at,
                    })
                })
                .collect();
            if rows.is_empty() {
                return Ok(0);
            }
            support::insert_log(conn, rows).await
        }
        .scope_boxed()
    })
    .await
}

/// The drain, as a worker of the auth service.
pub fn worker(db: DbPool, cache: Cache) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                match drain_once(&db, &cache).await {
                    Ok(n) if n > 0 => tracing::debug!(n, "support access log written"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "support access log drain failed"),
                }
                tokio::select! {
                    () = &mut stop => break,
                    () = tokio::time::sleep(INTERVAL) => {}
                }
            }
        })
    })
}
