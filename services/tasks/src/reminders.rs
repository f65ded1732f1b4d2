//! The reminder worker and the horizon job, run by every replica.
//!
//! Reminders: each pass claims up to [`BATCH`] due rows of `reminder_queue`
//! with `FOR UPDATE SKIP LOCKED` (so replicas never take the same row), and in
//! that same transaction, per reminder under its firm's RLS context, enqueues
//! `appointment.reminder_due` into the outbox and sets `sent_at` (whose trigger
//! drops the queue row). A worker killed mid-pass rolls back: the rows come
//! free and another worker sends them; a committed pass has sent them. So each
//! reminder is enqueued exactly once, and never before its `due_at`. Between
//! passes the worker sleeps until the next due time (at most the poll interval).
//!
//! Horizon: every hour a series whose occurrences end within a day of the
//! 18-month horizon gets the next ones materialised (and their reminders).

use std::time::Duration;

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::set_context;
use lawos_db::{DbPool, TenantCtx};
use lawos_events::EntityRef;
use lawos_http::runtime::{Shutdown, Worker};
use serde_json::json;
use uuid::Uuid;

use crate::events::{self, REMINDER_DUE};
use crate::recurrence::HORIZON;
use crate::schedule;
use crate::storage::{appointments, reminders};

pub const BATCH: i64 = 50;

/// `LAWOS_TASKS_REMINDER_POLL_MS` (default 1000): the longest the worker sleeps.
pub fn poll_interval() -> Duration {
    let ms = std::env::var("LAWOS_TASKS_REMINDER_POLL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| (10..=60_000).contains(ms))
        .unwrap_or(1000);
    Duration::from_millis(ms)
}

/// Sends one claimed reminder in the open transaction; `false` when it was gone.
async fn send(conn: &mut AsyncPgConnection, id: Uuid, firm: Uuid) -> Result<bool, ApiError> {
    set_context(conn, &TenantCtx::firm(FirmId(firm), None)).await?;
    let Some(due) = reminders::lock_unsent(conn, id).await? else {
        reminders::drop_queued(conn, id).await?;
        return Ok(false);
    };
    let Some(a) = appointments::find(conn, due.appointment_id, false).await? else {
        reminders::drop_queued(conn, id).await?;
        return Ok(false);
    };
    let attendees = appointments::attendees(conn, a.id).await?;
    let users: Vec<Uuid> = attendees
        .iter()
        .filter(|t| t.response != "DECLINED")
        .filter_map(|t| t.user_id)
        .collect();
    let data = json!({
        "appointmentId": a.id,
        "reminderId": due.id,
        "occurrenceStartsAt": due.occurrence_starts_at,
        "minutesBefore": due.minutes_before,
        "attendeeUserIds": users,
        "title": a.title,
        "matterId": a.matter_id,
    });
    let entity = EntityRef::new("appointment", a.id);
    events::enqueue(conn, firm, REMINDER_DUE, entity, a.matter_id, data).await?;
    reminders::mark_sent(conn, id).await?;
    Ok(true)
}

/// One pass: claims and sends what is due; how many were sent.
pub async fn run_once(db: &DbPool) -> Result<usize, ApiError> {
    let mut conn = db.get().await.map_err(ApiError::unavailable)?;
    conn.transaction(async move |conn| {
        let claimed = reminders::claim_due(conn, BATCH).await?;
        let mut sent = 0;
        for c in claimed {
            if send(conn, c.id, c.firm_id).await? {
                sent += 1;
            }
        }
        Ok::<_, ApiError>(sent)
    })
    .await
}

/// How long to sleep before the next pass.
async fn pause(db: &DbPool, poll: Duration) -> Duration {
    let Ok(mut conn) = db.get().await else {
        return poll;
    };
    match reminders::next_due(&mut conn).await {
        Ok(Some(at)) => (at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(poll),
        _ => poll,
    }
}

pub fn worker(db: DbPool) -> Worker {
    let poll = poll_interval();
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                let sent = match run_once(&db).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e.message, "reminder pass failed");
                        0
                    }
                };
                if sent > 0 {
                    tracing::info!(sent, "reminders sent");
                }
                let wait = if sent as i64 >= BATCH {
                    Duration::ZERO
                } else {
                    pause(&db, poll).await
                };
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
                }
            }
        })
    })
}

/// One pass of the horizon job; how many series were extended.
pub async fn extend_horizons(db: &DbPool) -> Result<usize, ApiError> {
    let mut conn = db.get().await.map_err(ApiError::unavailable)?;
    let until = Utc::now() + HORIZON;
    conn.transaction(async move |conn| {
        let claimed = reminders::claim_series(conn, until - chrono::Duration::days(1), 100).await?;
        let n = claimed.len();
        for c in claimed {
            set_context(conn, &TenantCtx::firm(FirmId(c.firm_id), None)).await?;
            if let Some(a) = appointments::find(conn, c.id, true).await? {
                let to = a.series_ends_at.map_or(until, |end| end.min(until));
                schedule::extend(conn, &a, to).await?;
            }
        }
        Ok::<_, ApiError>(n)
    })
    .await
}

pub fn horizon_worker(db: DbPool) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                if let Err(e) = extend_horizons(&db).await {
                    tracing::warn!(error = %e.message, "horizon pass failed");
                }
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                }
            }
        })
    })
}
