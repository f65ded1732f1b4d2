//! A task's checklist items, in position order.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::task::ChecklistBody;
use crate::model::ChecklistItem;
use crate::schema::task_checklist_items as items;

pub async fn list(
    conn: &mut AsyncPgConnection,
    task: Uuid,
) -> Result<Vec<ChecklistItem>, ApiError> {
    Ok(items::table
        .filter(items::task_id.eq(task))
        .filter(items::deleted_at.is_null())
        .order((items::position, items::id))
        .select(ChecklistItem::as_select())
        .load(conn)
        .await?)
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    task: Uuid,
    body: &ChecklistBody,
    by: Option<Uuid>,
) -> Result<ChecklistItem, ApiError> {
    let last: Option<i32> = items::table
        .filter(items::task_id.eq(task))
        .filter(items::deleted_at.is_null())
        .select(diesel::dsl::max(items::position))
        .first(conn)
        .await?;
    let done = body.done.unwrap_or(false);
    Ok(diesel::insert_into(items::table)
        .values((
            items::id.eq(Uuid::now_v7()),
            items::firm_id.eq(firm),
            items::task_id.eq(task),
            items::title.eq(body.title.as_deref().unwrap_or_default().trim()),
            items::done.eq(done),
            items::position.eq(body.position.unwrap_or_else(|| last.map_or(0, |p| p + 1))),
            items::done_at.eq(done.then(Utc::now)),
            items::done_by.eq(if done { by } else { None }),
            items::created_by.eq(by),
        ))
        .returning(ChecklistItem::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn lock(
    conn: &mut AsyncPgConnection,
    task: Uuid,
    id: Uuid,
) -> Result<Option<ChecklistItem>, ApiError> {
    Ok(items::table
        .find(id)
        .filter(items::task_id.eq(task))
        .filter(items::deleted_at.is_null())
        .select(ChecklistItem::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    current: &ChecklistItem,
    body: &ChecklistBody,
    by: Option<Uuid>,
) -> Result<ChecklistItem, ApiError> {
    let now = Utc::now();
    let done = body.done.unwrap_or(current.done);
    let (done_at, done_by) = match (current.done, done) {
        (false, true) => (Some(now), by),
        (true, true) => (current.done_at, current.done_by),
        _ => (None, None),
    };
    Ok(diesel::update(items::table.find(current.id))
        .set((
            items::title.eq(body
                .title
                .as_deref()
                .map_or(current.title.as_str(), str::trim)),
            items::done.eq(done),
            items::position.eq(body.position.unwrap_or(current.position)),
            items::done_at.eq(done_at),
            items::done_by.eq(done_by),
            items::updated_at.eq(now),
        ))
        .returning(ChecklistItem::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::update(items::table.find(id))
        .set(items::deleted_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}
