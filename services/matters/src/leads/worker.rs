//! Processing of Meta deliveries: each recorded delivery is taken (leased) for
//! one attempt: the page's token is opened, the lead fetched from the Graph
//! API and taken in; the lead's transaction marks the delivery `DONE`. A
//! failure schedules another attempt with exponential backoff (from the retry
//! interval, at most an hour) until the attempts run out (`FAILED`, the error
//! kept). The webhook starts an attempt at once; the worker picks up whatever
//! is due (retries, and deliveries whose first attempt was cut short).

use chrono::{DateTime, Utc};
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use super::LeadsState;
use super::intake::{self, Origin};
use super::meta::GraphError;
use super::model::Delivery;
use super::storage;
use crate::input::LeadBody;

/// How long one attempt holds a delivery.
const LEASE: Duration = Duration::from_secs(120);
const BATCH: i64 = 20;

fn backoff(state: &LeadsState, attempts: i32) -> Duration {
    let base = state.config.retry_interval;
    let factor = 2u32.saturating_pow(u32::try_from(attempts.clamp(0, 20)).unwrap_or(20));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

fn later(after: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::hours(1))
}

async fn failed(
    state: &LeadsState,
    firm: FirmId,
    delivery: &Delivery,
    error: &str,
    retry: bool,
) -> Result<(), ApiError> {
    let retry_at = (retry && delivery.attempts < state.config.max_attempts)
        .then(|| later(backoff(state, delivery.attempts)));
    tracing::warn!(delivery_id = %delivery.id, leadgen_id = %delivery.leadgen_id, attempts = delivery.attempts, retry = retry_at.is_some(), error, "Meta lead not processed");
    let (id, error) = (delivery.id, error.to_owned());
    with_tenant(&state.db, &TenantCtx::firm(firm, None), |conn| {
        async move { storage::delivery_failed(conn, id, &error, retry_at).await }.scope_boxed()
    })
    .await
}

/// One attempt at delivery `id` of `firm`, if it is due and not taken.
#[tracing::instrument(skip(state))]
pub async fn attempt(state: &LeadsState, firm: FirmId, id: Uuid) -> Result<(), ApiError> {
    let ctx = TenantCtx::firm(firm, None);
    let now = Utc::now();
    let claimed = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let Some(delivery) = storage::claim_delivery(conn, id, now, later(LEASE)).await? else {
                return Ok(None);
            };
            let page = storage::page(conn, delivery.mapping_id).await?;
            Ok(page.map(|p| (delivery, p)))
        }
        .scope_boxed()
    })
    .await?;
    let Some((delivery, page)) = claimed else {
        return Ok(());
    };
    let token =
        match state
            .config
            .token_key
            .open(page.id, &page.token_key_id, &page.token_ciphertext)
        {
            Ok(t) => t,
            Err(_) => {
                return failed(
                    state,
                    firm,
                    &delivery,
                    "the page token does not open",
                    false,
                )
                .await;
            }
        };
    let fields = match state.graph.lead_fields(&delivery.leadgen_id, &token).await {
        Ok(f) => f,
        Err(GraphError::Retry(e)) => return failed(state, firm, &delivery, &e, true).await,
        Err(GraphError::Fatal(e)) => return failed(state, firm, &delivery, &e, false).await,
    };
    let lead = match LeadBody::from_meta_fields(&fields).validate() {
        Ok(l) => l,
        Err(e) => {
            let why = format!(
                "the lead's answers are not valid: {}",
                e.details.unwrap_or_default()
            );
            return failed(state, firm, &delivery, &why, false).await;
        }
    };
    let origin = Origin {
        firm,
        channel: "META",
        form_id: None,
        delivery_id: Some(delivery.id),
        scope: format!("meta:{}", delivery.leadgen_id),
        label: format!(
            "Meta lead ads (page {}{})",
            delivery.page_id,
            delivery
                .form_id
                .as_deref()
                .map(|f| format!(", form {f}"))
                .unwrap_or_default()
        ),
        practice_area: page.practice_area.clone(),
    };
    match intake::take(&state.db, &state.contacts, Duration::ZERO, origin, lead).await {
        Ok(_) => Ok(()),
        Err(e) if e.code == ErrorCode::ServiceUnavailable || e.code == ErrorCode::InternalError => {
            failed(state, firm, &delivery, &e.message, true).await
        }
        Err(e) => failed(state, firm, &delivery, &e.message, false).await,
    }
}

/// Attempts every due delivery once.
pub async fn run_due(state: &LeadsState) -> Result<usize, ApiError> {
    let now = Utc::now();
    let due = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { storage::due_deliveries(conn, now, BATCH).await }.scope_boxed()
    })
    .await?;
    for (id, firm) in &due {
        if let Err(e) = attempt(state, FirmId(*firm), *id).await {
            tracing::warn!(delivery_id = %id, error = %e.message, "Meta delivery attempt failed");
        }
    }
    Ok(due.len())
}

/// The worker: due deliveries every retry interval until shutdown.
pub fn worker(state: Arc<LeadsState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                if let Err(e) = run_due(&state).await {
                    tracing::warn!(error = %e.message, "Meta delivery worker: database unavailable");
                }
                tokio::select! {
                    () = &mut stop => break,
                    () = tokio::time::sleep(state.config.retry_interval) => {}
                }
            }
        })
    })
}
