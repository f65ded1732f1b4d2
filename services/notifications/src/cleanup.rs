//! Expiry: notifications past their `expiresAt` are no longer listed, and this
//! job removes them (with their deliveries) in batches, across firms.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};

use crate::state::NotifyState;
use crate::storage::notifications;

const BATCH: i64 = 1000;

/// Removes everything expired at `now`; how many.
pub async fn run_once(state: &NotifyState, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut removed = 0;
    loop {
        let n = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move { notifications::delete_expired(conn, now, BATCH).await }.scope_boxed()
        })
        .await?;
        removed += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "expired notifications removed");
    }
    Ok(removed)
}

pub fn worker(state: Arc<NotifyState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let mut stop = std::pin::pin!(shutdown.wait());
            loop {
                if let Err(e) = run_once(&state, Utc::now()).await {
                    tracing::warn!(error = %e, "expiry round failed");
                }
                tokio::select! {
                    () = stop.as_mut() => return,
                    () = tokio::time::sleep(state.config.cleanup_every) => {}
                }
            }
        })
    })
}
