//! Task assignments: who a task is assigned to now (live rows), added and removed.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::Assignment;
use crate::schema::task_assignments;

/// The live assignees of `task`, in user id order.
pub async fn assignees(conn: &mut AsyncPgConnection, task: Uuid) -> Result<Vec<Uuid>, ApiError> {
    Ok(task_assignments::table
        .filter(task_assignments::task_id.eq(task))
        .filter(task_assignments::removed_at.is_null())
        .order(task_assignments::user_id)
        .select(task_assignments::user_id)
        .load(conn)
        .await?)
}

/// The live assignees of each of `tasks`.
pub async fn assignees_of(
    conn: &mut AsyncPgConnection,
    tasks: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, ApiError> {
    let rows: Vec<(Uuid, Uuid)> = task_assignments::table
        .filter(task_assignments::task_id.eq_any(tasks))
        .filter(task_assignments::removed_at.is_null())
        .order((task_assignments::task_id, task_assignments::user_id))
        .select((task_assignments::task_id, task_assignments::user_id))
        .load(conn)
        .await?;
    let mut by_task: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (task, user) in rows {
        by_task.entry(task).or_default().push(user);
    }
    Ok(by_task)
}

pub async fn add(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    task: Uuid,
    user: Uuid,
    by: Option<Uuid>,
) -> Result<Assignment, ApiError> {
    Ok(diesel::insert_into(task_assignments::table)
        .values((
            task_assignments::id.eq(Uuid::now_v7()),
            task_assignments::firm_id.eq(firm),
            task_assignments::task_id.eq(task),
            task_assignments::user_id.eq(user),
            task_assignments::assigned_by.eq(by),
        ))
        .returning(Assignment::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn remove(
    conn: &mut AsyncPgConnection,
    task: Uuid,
    user: Uuid,
    by: Option<Uuid>,
) -> Result<(), ApiError> {
    diesel::update(
        task_assignments::table
            .filter(task_assignments::task_id.eq(task))
            .filter(task_assignments::user_id.eq(user))
            .filter(task_assignments::removed_at.is_null()),
    )
    .set((
        task_assignments::removed_at.eq(Utc::now()),
        task_assignments::removed_by.eq(by),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
