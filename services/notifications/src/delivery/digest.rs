//! The daily digest: for each user who chose it, once per local day at their
//! digest hour (in their time zone), one e-mail listing what is unread since
//! the previous digest. Queued as a delivery (unique per user and day), so it
//! is sent once, with the same retries as any e-mail.

use std::sync::Arc;

use chrono::{DateTime, Timelike, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};

use super::plan::Prefs;
use crate::schema::{notifications, user_settings};
use crate::state::NotifyState;
use crate::storage::{deliveries, preferences};

pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    firm: uuid::Uuid,
    user: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        user_settings::table
            .filter(user_settings::firm_id.eq(firm))
            .filter(user_settings::user_id.eq(user)),
    )
    .set(user_settings::last_digest_at.eq(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues the digests due at `now`; how many.
pub async fn run_once(state: &NotifyState, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let users = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { preferences::digest_users(conn).await }.scope_boxed()
    })
    .await?;
    let mut queued = 0;
    for settings in users {
        let (firm, user) = (settings.firm_id, settings.user_id);
        let ctx = TenantCtx::firm(FirmId(firm), None);
        let done = with_tenant(&state.db, &ctx, |conn| {
            async move {
                let firm_tz = preferences::firm_settings(conn).await?.time_zone;
                let prefs = Prefs {
                    user: Vec::new(),
                    firm: Vec::new(),
                    settings,
                    firm_time_zone: firm_tz,
                };
                let local = now.with_timezone(&prefs.time_zone());
                if i64::from(local.hour()) != i64::from(prefs.settings.digest_hour) {
                    return Ok(false);
                }
                let since = prefs
                    .settings
                    .last_digest_at
                    .unwrap_or(now - chrono::Duration::hours(24));
                let unread: i64 = notifications::table
                    .filter(notifications::firm_id.eq(firm))
                    .filter(notifications::user_id.eq(user))
                    .filter(notifications::read_at.is_null())
                    .filter(notifications::created_at.gt(since))
                    .filter(notifications::expires_at.gt(now))
                    .count()
                    .get_result(conn)
                    .await?;
                if unread == 0 {
                    return Ok(false);
                }
                deliveries::queue_digest(conn, firm, user, local.date_naive(), now).await
            }
            .scope_boxed()
        })
        .await?;
        queued += usize::from(done);
    }
    if queued > 0 {
        state.wake.notify_one();
    }
    Ok(queued)
}

pub fn worker(state: Arc<NotifyState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let mut stop = std::pin::pin!(shutdown.wait());
            loop {
                if let Err(e) = run_once(&state, Utc::now()).await {
                    tracing::warn!(error = %e, "digest round failed");
                }
                tokio::select! {
                    () = stop.as_mut() => return,
                    () = tokio::time::sleep(state.config.digest_tick) => {}
                }
            }
        })
    })
}
