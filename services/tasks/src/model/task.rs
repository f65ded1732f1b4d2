//! Tasks, their assignments and checklist items.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{task_assignments, task_checklist_items, tasks};
use crate::status::Status;

pub const PRIORITIES: [&str; 4] = ["LOW", "NORMAL", "HIGH", "URGENT"];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tasks, check_for_backend(diesel::pg::Pg))]
pub struct Task {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub status: String,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub due_time_zone: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Task {
    pub fn etag(&self) -> String {
        super::etag_of(self.id, self.updated_at)
    }

    /// The stored status (the table's CHECK keeps it one of the four).
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Open)
    }

    /// Open (or in progress) and past its due instant.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.status().is_active() && self.due_at.is_some_and(|d| d < now)
    }

    /// The API representation with its assignees.
    pub fn view(&self, assignees: Vec<Uuid>, now: DateTime<Utc>) -> TaskView {
        TaskView {
            id: self.id,
            firm_id: self.firm_id,
            matter_id: self.matter_id,
            parent_id: self.parent_id,
            title: self.title.clone(),
            description: self.description.clone(),
            priority: self.priority.clone(),
            status: self.status.clone(),
            due_at: self.due_at,
            due_date: self.due_date,
            due_time_zone: self.due_time_zone.clone(),
            overdue: self.overdue(now),
            assignee_user_ids: assignees,
            completed_at: self.completed_at,
            completed_by: self.completed_by,
            created_by: self.created_by,
            updated_by: self.updated_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
            archived_at: self.archived_at,
        }
    }
}

/// A task as the API answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub id: Uuid,
    pub firm_id: Uuid,
    /// The matter the task belongs to; null for a firm-level task.
    pub matter_id: Option<Uuid>,
    /// The parent task of a subtask (one level deep).
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    /// LOW, NORMAL, HIGH or URGENT.
    pub priority: String,
    /// OPEN, IN_PROGRESS, DONE or CANCELLED.
    pub status: String,
    /// The instant the task is due (for a date: the end of that day in dueTimeZone).
    pub due_at: Option<DateTime<Utc>>,
    /// Set when the task is due on a day rather than at a time.
    pub due_date: Option<NaiveDate>,
    /// The IANA time zone the due date is read in (the firm's unless given).
    pub due_time_zone: Option<String>,
    /// Open or in progress, and past dueAt.
    pub overdue: bool,
    pub assignee_user_ids: Vec<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tasks)]
pub struct NewTask {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub due_time_zone: Option<String>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
}

/// The data fields a PATCH may change (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tasks)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub due_date: Option<Option<NaiveDate>>,
    pub due_time_zone: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = task_assignments, check_for_backend(diesel::pg::Pg))]
pub struct Assignment {
    pub id: Uuid,
    pub task_id: Uuid,
    pub user_id: Uuid,
    pub assigned_by: Option<Uuid>,
    pub assigned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, JsonSchema)]
#[diesel(table_name = task_checklist_items, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub id: Uuid,
    pub task_id: Uuid,
    pub title: String,
    pub done: bool,
    pub position: i32,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
