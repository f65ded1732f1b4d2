//! Tasks: insert, find, lock, change, list (filtered in SQL by what the caller
//! may see), the caller's open tasks by due date.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::access::Visibility;
use crate::input::list::{Position, Sort, TaskFilter};
use crate::model::{NewTask, Task, TaskChanges};
use crate::schema::{task_assignments, tasks};

pub async fn insert(conn: &mut AsyncPgConnection, new: NewTask) -> Result<Task, ApiError> {
    Ok(diesel::insert_into(tasks::table)
        .values(new)
        .returning(Task::as_returning())
        .get_result(conn)
        .await?)
}

/// A task that is not deleted (archived ones included).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Task>, ApiError> {
    Ok(tasks::table
        .find(id)
        .filter(tasks::deleted_at.is_null())
        .select(Task::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locking the row for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Task>, ApiError> {
    Ok(tasks::table
        .find(id)
        .filter(tasks::deleted_at.is_null())
        .select(Task::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update_data(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: TaskChanges,
    by: Option<Uuid>,
) -> Result<Task, ApiError> {
    Ok(diesel::update(tasks::table.find(id))
        .set((
            changes,
            tasks::updated_by.eq(by),
            tasks::updated_at.eq(Utc::now()),
        ))
        .returning(Task::as_returning())
        .get_result(conn)
        .await?)
}

/// Moves the status; DONE records who completed it and when, other statuses clear that.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    by: Option<Uuid>,
) -> Result<Task, ApiError> {
    let now = Utc::now();
    let done = status == "DONE";
    Ok(diesel::update(tasks::table.find(id))
        .set((
            tasks::status.eq(status),
            tasks::completed_at.eq(done.then_some(now)),
            tasks::completed_by.eq(if done { by } else { None }),
            tasks::updated_by.eq(by),
            tasks::updated_at.eq(now),
        ))
        .returning(Task::as_returning())
        .get_result(conn)
        .await?)
}

/// Archives (`Some(now)`) or restores (`None`).
pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    archived: bool,
    by: Option<Uuid>,
) -> Result<Task, ApiError> {
    let now = Utc::now();
    Ok(diesel::update(tasks::table.find(id))
        .set((
            tasks::archived_at.eq(archived.then_some(now)),
            tasks::updated_by.eq(by),
            tasks::updated_at.eq(now),
        ))
        .returning(Task::as_returning())
        .get_result(conn)
        .await?)
}

/// Soft-deletes the task and its subtasks.
pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
) -> Result<(), ApiError> {
    let now = Utc::now();
    diesel::update(
        tasks::table
            .filter(tasks::id.eq(id).or(tasks::parent_id.eq(id)))
            .filter(tasks::deleted_at.is_null()),
    )
    .set((
        tasks::deleted_at.eq(now),
        tasks::updated_by.eq(by),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `id` has live subtasks.
pub async fn has_subtasks(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, ApiError> {
    let n: i64 = tasks::table
        .filter(tasks::parent_id.eq(id))
        .filter(tasks::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

type Predicate = Box<dyn BoxableExpression<tasks::table, Pg, SqlType = Bool>>;

/// The tasks a list under `v` may show: matter tasks by the matter filter,
/// firm-level ones by firm-wide reach or involvement (creator or assignee).
pub fn visible(v: &Visibility) -> Predicate {
    let of_matters = tasks::matter_id
        .is_not_null()
        .and(v.matters.predicate(tasks::matter_id.assume_not_null()));
    let firm_level: Predicate = match (v.all_firm_level, v.me) {
        (true, _) => Box::new(tasks::matter_id.is_null()),
        (false, None) => Box::new(diesel::dsl::sql::<Bool>("FALSE")),
        (false, Some(me)) => {
            let mine = task_assignments::table
                .filter(task_assignments::user_id.eq(me))
                .filter(task_assignments::removed_at.is_null())
                .select(task_assignments::task_id);
            Box::new(
                tasks::matter_id.is_null().and(
                    tasks::created_by
                        .assume_not_null()
                        .eq(me)
                        .or(tasks::id.eq_any(mine)),
                ),
            )
        }
    };
    Box::new(of_matters.or(firm_level))
}

/// One page (`limit + 1` rows) of the tasks `filter` selects among those `v` admits.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &TaskFilter,
    v: &Visibility,
) -> Result<Vec<Task>, ApiError> {
    let mut query = tasks::table
        .filter(tasks::deleted_at.is_null())
        .filter(visible(v))
        .into_boxed();
    query = if filter.archived {
        query.filter(tasks::archived_at.is_not_null())
    } else {
        query.filter(tasks::archived_at.is_null())
    };
    if let Some(m) = filter.matter_id {
        query = query.filter(tasks::matter_id.eq(m));
    }
    if let Some(p) = filter.parent_id {
        query = query.filter(tasks::parent_id.eq(p));
    }
    if let Some(user) = filter.assignee {
        let theirs = task_assignments::table
            .filter(task_assignments::user_id.eq(user))
            .filter(task_assignments::removed_at.is_null())
            .select(task_assignments::task_id);
        query = query.filter(tasks::id.eq_any(theirs));
    }
    if let Some(statuses) = &filter.statuses {
        query = query.filter(tasks::status.eq_any(statuses.clone()));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(tasks::due_at.lt(before));
    }
    if let Some(after) = filter.due_after {
        query = query.filter(tasks::due_at.ge(after));
    }
    if filter.overdue {
        query = query
            .filter(tasks::status.eq_any(["OPEN", "IN_PROGRESS"]))
            .filter(tasks::due_at.lt(Utc::now()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(keyset(filter.sort, after));
    }
    query = match filter.sort {
        Sort::CreatedDesc => query.order((tasks::created_at.desc(), tasks::id.desc())),
        Sort::DueAsc => query.order((tasks::due_at.asc().nulls_last(), tasks::id.asc())),
    };
    Ok(query
        .select(Task::as_select())
        .limit(filter.limit + 1)
        .load(conn)
        .await?)
}

/// Rows after `p` in `sort` order.
fn keyset(sort: Sort, p: &Position) -> Predicate {
    match (sort, p.at) {
        (Sort::CreatedDesc, at) => Box::new(
            sql::<Bool>("(tasks.created_at, tasks.id) < (")
                .bind::<Timestamptz, _>(at.unwrap_or_else(Utc::now))
                .sql(", ")
                .bind::<SqlUuid, _>(p.id)
                .sql(")"),
        ),
        (Sort::DueAsc, Some(at)) => Box::new(
            sql::<Bool>("(tasks.due_at IS NULL OR (tasks.due_at, tasks.id) > (")
                .bind::<Timestamptz, _>(at)
                .sql(", ")
                .bind::<SqlUuid, _>(p.id)
                .sql("))"),
        ),
        (Sort::DueAsc, None) => Box::new(
            sql::<Bool>("(tasks.due_at IS NULL AND tasks.id > ")
                .bind::<SqlUuid, _>(p.id)
                .sql(")"),
        ),
    }
}

/// Where a page of `/mine` ends: the due instant (none: undated) and the task id.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MinePosition {
    pub due: Option<DateTime<Utc>>,
    pub id: Uuid,
}

/// `me`'s open tasks (live assignments of live, open or in-progress tasks the
/// matter filter admits), soonest due first (so the overdue come first),
/// undated last: one range of `task_assignments_mine_idx`.
pub async fn mine(
    conn: &mut AsyncPgConnection,
    me: Uuid,
    v: &Visibility,
    after: Option<&MinePosition>,
    limit: i64,
) -> Result<Vec<Task>, ApiError> {
    let mut query = task_assignments::table
        .inner_join(tasks::table)
        .filter(task_assignments::user_id.eq(me))
        .filter(task_assignments::removed_at.is_null())
        .filter(task_assignments::open)
        .filter(
            task_assignments::matter_id.is_null().or(v
                .matters
                .predicate(task_assignments::matter_id.assume_not_null())),
        )
        .into_boxed();
    if let Some(p) = after {
        query = match p.due {
            Some(due) => query.filter(
                sql::<Bool>("(task_assignments.due_at IS NULL OR (task_assignments.due_at, task_assignments.task_id) > (")
                    .bind::<Timestamptz, _>(due)
                    .sql(", ")
                    .bind::<SqlUuid, _>(p.id)
                    .sql("))"),
            ),
            None => query.filter(
                sql::<Bool>("(task_assignments.due_at IS NULL AND task_assignments.task_id > ")
                    .bind::<SqlUuid, _>(p.id)
                    .sql(")"),
            ),
        };
    }
    Ok(query
        .order((
            task_assignments::due_at.asc().nulls_last(),
            task_assignments::task_id.asc(),
        ))
        .select(Task::as_select())
        .limit(limit + 1)
        .load(conn)
        .await?)
}

/// The live subtasks of `parent`, oldest first.
pub async fn subtasks(conn: &mut AsyncPgConnection, parent: Uuid) -> Result<Vec<Task>, ApiError> {
    Ok(tasks::table
        .filter(tasks::parent_id.eq(parent))
        .filter(tasks::deleted_at.is_null())
        .order((tasks::created_at, tasks::id))
        .select(Task::as_select())
        .load(conn)
        .await?)
}
