//! The send worker: queued SMS are taken per firm with `FOR UPDATE SKIP
//! LOCKED` and leased (so a second worker, or a crash in the middle, neither
//! sends twice at once nor loses one), sent through Telnyx outside any
//! transaction, and settled: `SENT` with Telnyx's message id; after a
//! retryable failure (timeout, 5xx, 429) another attempt with exponential
//! backoff from `retry_base` (at most ten minutes) until `max_attempts`, then
//! `FAILED` with the reason; after a permanent one `FAILED` at once. Every
//! change of state is a `message.delivery_updated` event.

use chrono::{DateTime, Utc};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};
use std::sync::Arc;
use std::time::Duration;

use super::SmsState;
use crate::events;
use crate::model::{FAILED, Message, QUEUED, SENT};
use crate::outgoing::NOT_CONFIGURED;
use crate::storage::{messages, sms};

/// How long one attempt holds a message before another worker may take it.
const LEASE: Duration = Duration::from_secs(120);
const BATCH: i64 = 20;
const FIRMS: i64 = 50;

fn later(after: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::minutes(10))
}

/// The wait before the attempt after `attempts` failed ones.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(600))
}

/// What one attempt came to.
enum Outcome {
    Sent(String),
    Retry(String),
    Failed(String),
}

async fn settle(
    state: &SmsState,
    firm: FirmId,
    m: &Message,
    outcome: Outcome,
) -> Result<(), ApiError> {
    let id = m.id;
    with_tenant(&state.db, &TenantCtx::firm(firm, None), |conn| {
        async move {
            let now = Utc::now();
            let Some(current) = messages::find_for_update(conn, id).await? else {
                return sms::finish(conn, id, Some("deleted before it was sent"), now).await;
            };
            let changed = match outcome {
                Outcome::Retry(error) => {
                    let at = later(backoff(
                        state.config.retry_base,
                        sms::attempts(conn, id).await?,
                    ));
                    sms::retry_at(conn, id, &error, at).await?;
                    return messages::note_error(conn, id, &error, now).await;
                }
                Outcome::Sent(provider_id) => {
                    sms::finish(conn, id, None, now).await?;
                    if current.delivery_status != QUEUED {
                        // A receipt came first: keep what it said, add the id.
                        return Ok(());
                    }
                    messages::set_delivery(conn, id, SENT, Some(&provider_id), None, now).await?
                }
                Outcome::Failed(error) => {
                    sms::finish(conn, id, Some(&error), now).await?;
                    messages::set_delivery(conn, id, FAILED, None, Some(&error), now).await?
                }
            };
            events::delivery_updated(conn, &changed).await
        }
        .scope_boxed()
    })
    .await
}

/// One attempt at `m` (its `attempts`-th).
async fn attempt(state: &SmsState, m: &Message, attempts: i32) -> Outcome {
    let (Some(client), Some(outbound)) = (&state.telnyx, &state.config.outbound) else {
        return Outcome::Failed(NOT_CONFIGURED.to_owned());
    };
    let (Some(from), Some(to)) = (&m.firm_number, &m.peer_phone) else {
        return Outcome::Failed("the message has no sending number or recipient".to_owned());
    };
    match client
        .send_sms(from, to, &m.body, &outbound.profile_id)
        .await
    {
        Ok(sent) => Outcome::Sent(sent.id),
        Err(e) if e.is_retryable() && attempts < state.config.max_attempts => {
            tracing::warn!(message_id = %m.id, attempts, error = %e, "SMS not sent; will retry");
            Outcome::Retry(e.reason().to_owned())
        }
        Err(e) => {
            tracing::warn!(message_id = %m.id, attempts, error = %e, "SMS failed");
            let reason = if e.is_retryable() {
                format!("gave up after {attempts} attempts: {}", e.reason())
            } else {
                e.reason().to_owned()
            };
            Outcome::Failed(reason)
        }
    }
}

/// Sends the due SMS of one firm; how many were attempted.
async fn run_firm(state: &SmsState, firm: FirmId) -> Result<usize, ApiError> {
    let claimed = with_tenant(&state.db, &TenantCtx::firm(firm, None), |conn| {
        async move {
            let now = Utc::now();
            let mut out = Vec::new();
            for (id, attempts) in sms::claim_due(conn, now, later(LEASE), BATCH).await? {
                match messages::find(conn, id).await? {
                    Some(m) if m.delivery_status == QUEUED => out.push((m, attempts)),
                    Some(_) => sms::finish(conn, id, None, now).await?,
                    None => sms::finish(conn, id, Some("deleted before it was sent"), now).await?,
                }
            }
            Ok(out)
        }
        .scope_boxed()
    })
    .await?;
    for (m, attempts) in &claimed {
        let outcome = attempt(state, m, *attempts).await;
        settle(state, firm, m, outcome).await?;
    }
    Ok(claimed.len())
}

/// Attempts every due SMS once; how many were attempted.
pub async fn run_due(state: &SmsState) -> Result<usize, ApiError> {
    let now = Utc::now();
    let firms = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { sms::firms_with_due(conn, now, FIRMS).await }.scope_boxed()
    })
    .await?;
    let mut done = 0;
    for firm in firms {
        match run_firm(state, FirmId(firm)).await {
            Ok(n) => done += n,
            Err(e) => tracing::warn!(firm_id = %firm, error = %e.message, "SMS sends failed"),
        }
    }
    Ok(done)
}

/// The worker: due SMS whenever one is queued, and every poll interval.
pub fn worker(state: Arc<SmsState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                match run_due(&state).await {
                    // A full batch: more may be due at once, go again.
                    Ok(n) if i64::try_from(n).unwrap_or(i64::MAX) >= BATCH => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e.message, "SMS worker: database unavailable");
                    }
                }
                tokio::select! {
                    () = &mut stop => break,
                    () = state.wake.notified() => {}
                    () = tokio::time::sleep(state.config.poll_interval) => {}
                }
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 2), Duration::from_secs(10));
        assert_eq!(backoff(base, 4), Duration::from_secs(40));
        assert_eq!(backoff(base, 12), Duration::from_secs(600));
    }
}
