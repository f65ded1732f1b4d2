//! Contacts: insert, read, change, archive, soft delete, list.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::query::{Archived, ContactFilter};
use crate::model::{Contact, ContactFields, NewContact};
use crate::schema::contacts;

pub async fn insert(conn: &mut AsyncPgConnection, new: NewContact) -> Result<Contact, ApiError> {
    Ok(diesel::insert_into(contacts::table)
        .values(new)
        .returning(Contact::as_returning())
        .get_result(conn)
        .await?)
}

/// A contact that is not deleted.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Contact>, ApiError> {
    Ok(contacts::table
        .find(id)
        .filter(contacts::deleted_at.is_null())
        .select(Contact::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locking the row for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Contact>, ApiError> {
    Ok(contacts::table
        .find(id)
        .filter(contacts::deleted_at.is_null())
        .select(Contact::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: ContactFields,
) -> Result<Contact, ApiError> {
    Ok(diesel::update(contacts::table.find(id))
        .set(fields)
        .returning(Contact::as_returning())
        .get_result(conn)
        .await?)
}

/// Sets or clears `archived_at`.
pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    archived_at: Option<DateTime<Utc>>,
    by: Option<Uuid>,
) -> Result<Contact, ApiError> {
    Ok(diesel::update(contacts::table.find(id))
        .set((
            contacts::archived_at.eq(archived_at),
            contacts::updated_by.eq(by),
            contacts::updated_at.eq(Utc::now()),
        ))
        .returning(Contact::as_returning())
        .get_result(conn)
        .await?)
}

/// Soft delete; `false` when there was no such (undeleted) contact.
pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
) -> Result<bool, ApiError> {
    let now = Utc::now();
    let n = diesel::update(
        contacts::table
            .find(id)
            .filter(contacts::deleted_at.is_null()),
    )
    .set((
        contacts::deleted_at.eq(now),
        contacts::updated_by.eq(by),
        contacts::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

fn filtered(filter: &ContactFilter) -> contacts::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = contacts::table
        .filter(contacts::deleted_at.is_null())
        .into_boxed();
    query = match filter.archived {
        Archived::Active => query.filter(contacts::archived_at.is_null()),
        Archived::Archived => query.filter(contacts::archived_at.is_not_null()),
        Archived::Any => query,
    };
    if let Some(kind) = &filter.kind {
        query = query.filter(contacts::kind.eq(kind.clone()));
    }
    query
}

/// One page in id (creation) order after `after`, `limit + 1` rows.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ContactFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Contact>, ApiError> {
    let mut query = filtered(filter)
        .select(Contact::as_select())
        .order(contacts::id.asc())
        .limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(contacts::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

pub async fn count(conn: &mut AsyncPgConnection, filter: &ContactFilter) -> Result<i64, ApiError> {
    Ok(filtered(filter).count().get_result(conn).await?)
}
