//! The scheduler: every `LAWOS_MYCASE_POLL_SECONDS` each replica asks which
//! firms' enabled connections are due (no live run, none started within the
//! connection's interval) and runs their syncs, a few at a time. Replicas
//! asking together race for the same firms; [`sync::start`]'s lock lets one
//! run each firm's sync and answers the others 409, which they skip.
//!
//! A run cut short by a shutdown stays RUNNING until its heartbeat is older
//! than the lease; the next start fails it as abandoned.

use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};
use std::sync::Arc;

use super::MyCaseState;
use super::model::SCHEDULE;
use super::{storage, sync};

/// Firms considered per poll.
const BATCH: i64 = 100;

/// Runs the sync of every due firm once; how many runs this replica made.
pub async fn run_due(state: &Arc<MyCaseState>) -> Result<usize, ApiError> {
    let lease = state.config.lease;
    let due = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        storage::due_firms(conn, lease, BATCH).scope_boxed()
    })
    .await?;
    let mut ran = 0;
    for chunk in due.chunks(state.config.concurrency.max(1)) {
        let mut set = tokio::task::JoinSet::new();
        for firm in chunk {
            let (state, firm) = (state.clone(), FirmId(*firm));
            set.spawn(async move {
                match sync::start(&state, firm, SCHEDULE, None).await {
                    Ok(started) => sync::execute(&state, started)
                        .await
                        .map(|_| true)
                        .map_err(|e| (firm, e)),
                    // Another replica took it, or it was disconnected meanwhile.
                    Err(e)
                        if matches!(
                            e.code,
                            ErrorCode::ResourceConflict | ErrorCode::ResourceNotFound
                        ) =>
                    {
                        Ok(false)
                    }
                    Err(e) => Err((firm, e)),
                }
            });
        }
        while let Some(done) = set.join_next().await {
            match done {
                Ok(Ok(true)) => ran += 1,
                Ok(Ok(false)) => {}
                Ok(Err((firm, e))) => {
                    tracing::warn!(firm_id = %firm, error = %e.message, "MyCase scheduled run not made");
                }
                Err(e) => tracing::error!(error = %e, "MyCase scheduled run panicked"),
            }
        }
    }
    Ok(ran)
}

/// The worker: due syncs every poll interval until shutdown.
pub fn worker(state: Arc<MyCaseState>) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    () = &mut stop => break,
                    done = run_due(&state) => if let Err(e) = done {
                        tracing::warn!(error = %e.message, "MyCase scheduler: database unavailable");
                    },
                }
                tokio::select! {
                    () = &mut stop => break,
                    () = tokio::time::sleep(state.config.poll_interval) => {}
                }
            }
        })
    })
}
