//! The document_extractions table: versions marked for text extraction.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::Version;
use crate::schema::{document_extractions as x, document_versions};

/// Marks an available version for the extraction worker.
pub async fn mark(conn: &mut AsyncPgConnection, version: &Version) -> Result<(), ApiError> {
    diesel::insert_into(x::table)
        .values((
            x::version_id.eq(version.id),
            x::firm_id.eq(version.firm_id),
            x::document_id.eq(version.document_id),
            x::status.eq("PENDING"),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The oldest marked version, locked so concurrent workers take others.
pub async fn claim(conn: &mut AsyncPgConnection) -> Result<Option<Version>, ApiError> {
    let id: Option<Uuid> = x::table
        .filter(x::status.eq("PENDING"))
        .select(x::version_id)
        .order(x::created_at.asc())
        .limit(1)
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    Ok(document_versions::table
        .find(id)
        .select(Version::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Records the outcome (`DONE`, `SKIPPED`, `FAILED`).
pub async fn finish(
    conn: &mut AsyncPgConnection,
    version: Uuid,
    status: &str,
) -> Result<(), ApiError> {
    diesel::update(x::table.find(version))
        .set((x::status.eq(status), x::extracted_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}

/// The outcome for a version (`None`: never marked).
pub async fn status_of(
    conn: &mut AsyncPgConnection,
    version: Uuid,
) -> Result<Option<String>, ApiError> {
    Ok(x::table
        .find(version)
        .select(x::status)
        .first(conn)
        .await
        .optional()?)
}
