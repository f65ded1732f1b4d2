//! The documents table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::ValidPatch;
use crate::model::{Document, NewDocument};
use crate::schema::{document_search, documents};

pub async fn insert(conn: &mut AsyncPgConnection, new: NewDocument) -> Result<Document, ApiError> {
    Ok(diesel::insert_into(documents::table)
        .values(&new)
        .returning(Document::as_returning())
        .get_result(conn)
        .await?)
}

/// A document of the transaction's firm, deleted ones included.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Document>, ApiError> {
    Ok(documents::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The document, locked for the rest of the transaction (version changes).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Document>, ApiError> {
    Ok(documents::table
        .find(id)
        .select(Document::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_many(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<Document>, ApiError> {
    Ok(documents::table
        .filter(documents::id.eq_any(ids))
        .select(Document::as_select())
        .load(conn)
        .await?)
}

pub async fn set_current(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: Uuid,
) -> Result<Document, ApiError> {
    Ok(diesel::update(documents::table.find(id))
        .set((
            documents::current_version_id.eq(version),
            documents::updated_at.eq(Utc::now()),
        ))
        .returning(Document::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    patch: ValidPatch,
) -> Result<Document, ApiError> {
    #[derive(AsChangeset)]
    #[diesel(table_name = documents)]
    struct Change {
        name: Option<String>,
        description: Option<Option<String>>,
        category: Option<String>,
        privileged: Option<bool>,
        confidential: Option<bool>,
        tags: Option<Vec<String>>,
        updated_at: DateTime<Utc>,
    }
    Ok(diesel::update(documents::table.find(id))
        .set(Change {
            name: patch.name,
            description: patch.description,
            category: patch.category,
            privileged: patch.privileged,
            confidential: patch.confidential,
            tags: patch.tags,
            updated_at: Utc::now(),
        })
        .returning(Document::as_returning())
        .get_result(conn)
        .await?)
}

/// Soft delete: the objects stay until the purge job (retention).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    let now = Utc::now();
    diesel::update(documents::table.find(id))
        .set((documents::deleted_at.eq(now), documents::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    archived: bool,
) -> Result<Document, ApiError> {
    let now = Utc::now();
    Ok(diesel::update(documents::table.find(id))
        .set((
            documents::archived_at.eq(archived.then_some(now)),
            documents::updated_at.eq(now),
        ))
        .returning(Document::as_returning())
        .get_result(conn)
        .await?)
}

/// The current version's extracted text, for search.
pub async fn set_content(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    content: Option<String>,
) -> Result<(), ApiError> {
    diesel::update(document_search::table.find(id))
        .set(document_search::content.eq(content))
        .execute(conn)
        .await?;
    Ok(())
}
