//! The sender: due deliveries are claimed (leased for one attempt, `FOR
//! UPDATE SKIP LOCKED`, so instances share the work and a crashed attempt is
//! taken again when its lease ends), rendered, sent, and marked SENT; a
//! failure is retried with exponential backoff until the attempts run out
//! (FAILED with the error). A delivery is marked at most once, so each
//! notification goes out once per channel; an attempt cut short between the
//! server's acceptance and the mark is resent with the same `Message-ID`.

pub mod digest;
pub mod plan;
pub mod send;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};

use crate::model::Delivery;
use crate::state::NotifyState;
use crate::storage::deliveries;

/// How long one attempt holds its delivery.
pub const LEASE: Duration = Duration::from_secs(120);
const BATCH: i64 = 20;

/// The delay before attempt `attempts + 1`: base × 2^(attempts − 1), at most an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

fn later(d: Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

/// One round: claims what is due and attempts each; how many were attempted.
pub async fn run_once(state: &NotifyState) -> Result<usize, ApiError> {
    let now = Utc::now();
    let lease = later(LEASE);
    let claimed: Vec<Delivery> = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { deliveries::claim_due(conn, now, lease, BATCH).await }.scope_boxed()
    })
    .await?;
    let n = claimed.len();
    for delivery in claimed {
        attempt(state, delivery).await?;
    }
    Ok(n)
}

async fn attempt(state: &NotifyState, delivery: Delivery) -> Result<(), ApiError> {
    let outcome = send::send(state, &delivery).await;
    let ctx = TenantCtx::firm(lawos_core::FirmId(delivery.firm_id), None);
    let now = Utc::now();
    let id = delivery.id;
    match outcome {
        Ok((address, provider)) => {
            tracing::info!(delivery_id = %id, channel = %delivery.channel, attempts = delivery.attempts, "delivered");
            with_tenant(&state.db, &ctx, |conn| {
                async move { deliveries::sent(conn, id, &address, &provider, now).await }
                    .scope_boxed()
            })
            .await
        }
        Err(e) => {
            let retry = (e.retryable && delivery.attempts < state.config.max_attempts)
                .then(|| later(backoff(state.config.retry_base, delivery.attempts)));
            tracing::warn!(delivery_id = %id, channel = %delivery.channel, attempts = delivery.attempts, retry = ?retry, error = %e.message, "delivery attempt failed");
            with_tenant(&state.db, &ctx, |conn| {
                async move { deliveries::failed(conn, id, &e.message, retry, now).await }
                    .scope_boxed()
            })
            .await
        }
    }
}

/// The sender as a worker: a round whenever deliveries were queued, and every poll interval.
pub fn worker(state: Arc<NotifyState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let mut stop = std::pin::pin!(shutdown.wait());
            loop {
                match run_once(&state).await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "delivery round failed"),
                }
                tokio::select! {
                    () = stop.as_mut() => return,
                    () = state.wake.notified() => {}
                    () = tokio::time::sleep(state.config.poll) => {}
                }
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 3), Duration::from_secs(120));
        assert_eq!(backoff(base, 30), Duration::from_secs(3600));
    }
}
