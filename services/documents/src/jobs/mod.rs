//! Background work, on platform transactions (every firm; the tables admit
//! `app.all_firms`), rows taken with `FOR UPDATE SKIP LOCKED` so several
//! instances share the work:
//!
//! - [`extract_pending`]: versions marked for extraction get their text read
//!   ([`crate::extract`]) into the document's search text when still current;
//! - [`abandon_stale`]: uploads pending longer than `LAWOS_DOCUMENTS_PENDING_HOURS`
//!   lose their object (if any was PUT) and become ABANDONED; a document left
//!   with no version at all is deleted;
//! - [`purge_deleted`]: documents deleted longer ago than
//!   `LAWOS_DOCUMENTS_RETENTION_DAYS` lose every version's object (the rows
//!   stay, `object_deleted_at` set).

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{Shutdown, Worker};
use uuid::Uuid;

use crate::extract::{self, Extracted};
use crate::model::{Document, Version};
use crate::schema::{document_versions, documents};
use crate::state::DocumentsState;
use crate::storage::{documents as stored, extractions, versions};

const BATCH: i64 = 100;

fn storage_error(e: lawos_storage::StorageError) -> ApiError {
    ApiError::unavailable(e)
}

/// Reads the object of `version` whole, unless it is larger than `max`.
async fn read_object(
    state: &DocumentsState,
    version: &Version,
    max: u64,
) -> Result<Option<Vec<u8>>, ApiError> {
    if version.size_bytes as u64 > max {
        return Ok(None);
    }
    let Some(mut body) = state
        .store
        .get(&version.object_key())
        .await
        .map_err(storage_error)?
    else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(body.size as usize);
    while let Some(chunk) = body.stream.next().await {
        bytes.extend_from_slice(&chunk.map_err(storage_error)?);
        if bytes.len() as u64 > max {
            return Ok(None);
        }
    }
    Ok(Some(bytes))
}

/// Extracts the text of pending versions, one per transaction; how many were done.
pub async fn extract_pending(state: &DocumentsState) -> Result<usize, ApiError> {
    let mut done = 0;
    loop {
        let st = state.clone();
        let took = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move {
                let Some(version) = extractions::claim(conn).await? else {
                    return Ok(false);
                };
                extract_one(conn, &st, &version).await?;
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
        if !took {
            return Ok(done);
        }
        done += 1;
    }
}

async fn extract_one(
    conn: &mut AsyncPgConnection,
    state: &DocumentsState,
    version: &Version,
) -> Result<(), ApiError> {
    let max = state.config.extract_max_bytes;
    let outcome = if !extract::supported(&version.mime_type, &version.file_name) {
        ("SKIPPED", None)
    } else {
        match read_object(state, version, max).await? {
            None => ("SKIPPED", None),
            Some(bytes) => {
                let (mime, name) = (version.mime_type.clone(), version.file_name.clone());
                let result =
                    tokio::task::spawn_blocking(move || extract::extract(&mime, &name, &bytes))
                        .await
                        .map_err(ApiError::internal)?;
                match result {
                    Ok(Extracted::Text(text)) => ("DONE", Some(text)),
                    Ok(Extracted::Unsupported) => ("SKIPPED", None),
                    Err(e) => {
                        tracing::warn!(version_id = %version.id, error = %e, "text extraction failed");
                        ("FAILED", None)
                    }
                }
            }
        }
    };
    extractions::finish(conn, version.id, outcome.0).await?;
    let current: Option<Option<Uuid>> = documents::table
        .find(version.document_id)
        .select(documents::current_version_id)
        .first(conn)
        .await
        .optional()?;
    if current.flatten() == Some(version.id) {
        stored::set_content(conn, version.document_id, outcome.1).await?;
    }
    tracing::info!(version_id = %version.id, status = outcome.0, "text extraction");
    Ok(())
}

/// Abandons uploads pending since before `now - pending_after`; how many.
pub async fn abandon_stale(state: &DocumentsState) -> Result<usize, ApiError> {
    let cutoff =
        Utc::now() - chrono::TimeDelta::from_std(state.config.pending_after).unwrap_or_default();
    let mut total = 0;
    loop {
        let store = state.store.clone();
        let n = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move {
                let stale = versions::stale_pending(conn, cutoff, BATCH).await?;
                for v in &stale {
                    store.delete(&v.object_key()).await.map_err(storage_error)?;
                    versions::abandon(conn, v.id).await?;
                    let doc = stored::find(conn, v.document_id).await?;
                    let orphan = doc
                        .as_ref()
                        .is_some_and(|d| d.current_version_id.is_none() && d.deleted_at.is_none());
                    if orphan && !versions::any_live(conn, v.document_id).await? {
                        stored::delete(conn, v.document_id).await?;
                    }
                    tracing::info!(version_id = %v.id, "pending upload abandoned");
                }
                Ok(stale.len())
            }
            .scope_boxed()
        })
        .await?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
    }
}

/// Deletes the objects of documents deleted before `now - retention`; how many documents.
pub async fn purge_deleted(state: &DocumentsState) -> Result<usize, ApiError> {
    let cutoff =
        Utc::now() - chrono::TimeDelta::from_std(state.config.retention).unwrap_or_default();
    let mut total = 0;
    loop {
        let store = state.store.clone();
        let n = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move {
                let held = document_versions::table
                    .filter(document_versions::document_id.eq(documents::id))
                    .filter(document_versions::object_deleted_at.is_null());
                let due: Vec<Document> = documents::table
                    .filter(documents::deleted_at.lt(cutoff))
                    .filter(diesel::dsl::exists(held))
                    .select(Document::as_select())
                    .order(documents::deleted_at.asc())
                    .limit(BATCH)
                    .for_update()
                    .skip_locked()
                    .load(conn)
                    .await?;
                for doc in &due {
                    let held = versions::with_objects(conn, doc.id).await?;
                    for v in &held {
                        store.delete(&v.object_key()).await.map_err(storage_error)?;
                    }
                    let ids: Vec<Uuid> = held.iter().map(|v| v.id).collect();
                    versions::mark_object_deleted(conn, &ids).await?;
                    tracing::info!(document_id = %doc.id, objects = ids.len(), "deleted document purged");
                }
                Ok(due.len())
            }
            .scope_boxed()
        })
        .await?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
    }
}

fn every(
    interval: Duration,
    name: &'static str,
    state: DocumentsState,
    run: fn(DocumentsState) -> futures_util::future::BoxFuture<'static, ()>,
) -> Worker {
    Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            let stop = shutdown.wait();
            tokio::pin!(stop);
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tick.tick() => run(state.clone()).await,
                }
            }
            tracing::debug!(job = name, "stopped");
        })
    })
}

/// Text extraction every `LAWOS_DOCUMENTS_EXTRACT_INTERVAL_SECS`.
pub fn extraction_worker(state: DocumentsState) -> Worker {
    let interval = state.config.extract_interval;
    every(interval, "extraction", state, |state| {
        Box::pin(async move {
            if let Err(e) = extract_pending(&state).await {
                tracing::warn!(error = %e, "text extraction run failed");
            }
        })
    })
}

/// The bucket (when `LAWOS_DOCUMENTS_ENSURE_BUCKET`), then the cleanup and
/// purge jobs every `LAWOS_DOCUMENTS_JOB_INTERVAL_SECS`.
pub fn maintenance_worker(state: DocumentsState) -> Worker {
    let interval = state.config.job_interval;
    every(interval, "maintenance", state, |state| {
        Box::pin(async move {
            if state.config.ensure_bucket
                && let Err(e) = state.store.ensure_bucket().await
            {
                tracing::warn!(error = %e, bucket = state.store.bucket(), "the documents bucket cannot be created");
            }
            match abandon_stale(&state).await {
                Ok(n) if n > 0 => tracing::info!(abandoned = n, "stale uploads abandoned"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "abandoning stale uploads failed"),
            }
            match purge_deleted(&state).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "deleted documents purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging deleted documents failed"),
            }
        })
    })
}
