//! The credential expiry job: every `LAWOS_AUTH_CREDENTIAL_EXPIRY_INTERVAL_SECS`
//! (default daily) it enqueues `credential.expiring` once for each lawyer
//! credential that expires within the next 30 days and has not been announced
//! yet (`expiry_notified_at`), so a missed day or a credential added late is
//! still announced, and never twice. Runs on a platform transaction (every
//! firm); concurrent runs skip each other's rows.
//!
//! Event data: `credentialId`, `userId`, `firmId`, `type`, `jurisdiction`,
//! `expiresAt` (YYYY-MM-DD), `daysLeft`.

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use lawos_events::{EntityRef, EventEnvelope};
use lawos_http::runtime::{Shutdown, Worker};
use serde_json::json;

use crate::NAME;
use crate::credentials::CREDENTIAL_EXPIRING;
use crate::storage::credentials;

/// How far ahead an expiry is announced.
pub const LEAD_DAYS: u64 = 30;
const BATCH: i64 = 200;

/// Announces every due credential as of `today`; how many were announced.
pub async fn run_once(db: &DbPool, today: NaiveDate) -> Result<usize, ApiError> {
    let horizon = today
        .checked_add_days(Days::new(LEAD_DAYS))
        .ok_or_else(|| ApiError::internal("date overflow"))?;
    let mut announced = 0;
    loop {
        let n = with_tenant(db, &TenantCtx::platform(None), |conn| {
            async move {
                let due =
                    credentials::lock_unannounced_expiring(conn, today, horizon, BATCH).await?;
                let now = Utc::now();
                for c in &due {
                    let expires = c.expires_on.unwrap_or(horizon);
                    let event = EventEnvelope::builder(
                        CREDENTIAL_EXPIRING,
                        EntityRef::new("lawyer_credential", c.id),
                    )
                    .firm(c.firm_id)
                    .data(json!({
                        "credentialId": c.id,
                        "userId": c.user_id,
                        "firmId": c.firm_id,
                        "type": c.credential_type,
                        "jurisdiction": c.jurisdiction,
                        "expiresAt": expires,
                        "daysLeft": (expires - today).num_days(),
                    }))
                    .build();
                    lawos_events::enqueue(conn, NAME, &event)
                        .await
                        .map_err(ApiError::internal)?;
                    credentials::mark_announced(conn, c.id, now).await?;
                }
                Ok(due.len())
            }
            .scope_boxed()
        })
        .await?;
        announced += n;
        if i64::try_from(n).unwrap_or(i64::MAX) < BATCH {
            return Ok(announced);
        }
    }
}

/// The job as a worker: a run at start, then one every `interval`.
pub fn worker(db: DbPool, interval: Duration) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                match run_once(&db, Utc::now().date_naive()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(announced = n, "credential expiry announced"),
                    Err(e) => {
                        tracing::warn!(error = %e, "credential expiry job failed; retried next run")
                    }
                }
                tokio::select! {
                    () = &mut stop => return,
                    () = tokio::time::sleep(interval) => {}
                }
            }
        })
    })
}
