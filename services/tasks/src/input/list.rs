//! List query parameters: tasks (`GET /api/v1/tasks/`, `/mine`) and their cursors.
//!
//! Task filters: `matter_id`, `assignee` (`me` or a user id), `status` (one or
//! several, comma-separated, any case), `due_before` / `due_after` (RFC 3339,
//! on dueAt: before is exclusive, after inclusive), `overdue=true` (open or in
//! progress and past due), `parent_id` (a task's subtasks), `archived=true`
//! (archived tasks instead of live ones). Sort: `-created_at` (default) or
//! `due_at` (soonest first, undated last). Cursors are keyset positions.

use chrono::{DateTime, Utc};
use lawos_core::page::{DEFAULT_LIMIT, MAX_LIMIT};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::status::{STATUSES, Status};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskListQuery {
    /// Only this matter's tasks.
    pub matter_id: Option<Uuid>,
    /// `me`, or a user id: tasks assigned to that person.
    pub assignee: Option<String>,
    /// OPEN, IN_PROGRESS, DONE, CANCELLED (comma-separated for several).
    pub status: Option<String>,
    /// Due before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// Due at or after this instant.
    pub due_after: Option<DateTime<Utc>>,
    /// true: only open or in-progress tasks past their due instant.
    pub overdue: Option<bool>,
    /// Only the subtasks of this task.
    pub parent_id: Option<Uuid>,
    /// true: archived tasks (instead of live ones).
    pub archived: Option<bool>,
    /// `-created_at` (default) or `due_at`.
    pub sort: Option<String>,
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

/// `GET /api/v1/tasks/mine`: the caller's open tasks, overdue first, then by due date.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn validate<P: serde::de::DeserializeOwned>(
        self,
        cursors: &CursorCodec,
    ) -> Result<(Option<P>, i64), ApiError> {
        let limit = limit_of(self.limit)?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| cursors.decode(c))
            .transpose()?;
        Ok((after, limit))
    }
}

pub(crate) fn limit_of(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(FieldErrors::single(
            "limit",
            ErrorCode::InvalidFieldFormat,
            "must be between 1 and 100",
        )
        .into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    CreatedDesc,
    DueAsc,
}

impl Sort {
    fn name(self) -> &'static str {
        match self {
            Self::CreatedDesc => "-created_at",
            Self::DueAsc => "due_at",
        }
    }
}

/// Where a page ends: the sort, the row's key (created or due) and id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Position {
    pub sort: String,
    pub at: Option<DateTime<Utc>>,
    pub id: Uuid,
}

/// A validated task list request.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub matter_id: Option<Uuid>,
    pub assignee: Option<Uuid>,
    pub statuses: Option<Vec<String>>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub parent_id: Option<Uuid>,
    pub archived: bool,
    pub sort: Sort,
    pub after: Option<Position>,
    pub limit: i64,
}

impl TaskFilter {
    pub fn position(
        &self,
        created_at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
        id: Uuid,
    ) -> Position {
        let at = match self.sort {
            Sort::CreatedDesc => Some(created_at),
            Sort::DueAsc => due_at,
        };
        Position {
            sort: self.sort.name().to_owned(),
            at,
            id,
        }
    }
}

/// `me` (the caller; a service has none) or a user id.
pub(crate) fn person(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    me: Option<Uuid>,
) -> Option<Uuid> {
    match value? {
        "me" if me.is_some() => me,
        "me" => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "a service token has no me",
            );
            None
        }
        other => match other.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(
                    field,
                    ErrorCode::InvalidFieldFormat,
                    "must be me or a user id",
                );
                None
            }
        },
    }
}

impl TaskListQuery {
    pub fn validate(self, cursors: &CursorCodec, me: Option<Uuid>) -> Result<TaskFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let statuses = self.status.as_deref().map(|list| {
            list.split(',')
                .filter_map(|s| match Status::parse(s) {
                    Some(status) => Some(status.as_str().to_owned()),
                    None => {
                        errors.one_of("status", s, &STATUSES);
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        let assignee = person(&mut errors, "assignee", self.assignee.as_deref(), me);
        let sort = match self.sort.as_deref() {
            None | Some("-created_at") => Sort::CreatedDesc,
            Some("due_at") => Sort::DueAsc,
            Some(other) => {
                errors.one_of("sort", other, &["-created_at", "due_at"]);
                Sort::CreatedDesc
            }
        };
        if let (Some(before), Some(after)) = (self.due_before, self.due_after)
            && before <= after
        {
            errors.add(
                "due_before",
                ErrorCode::InvalidFieldFormat,
                "must be after due_after",
            );
        }
        errors.into_result()?;
        let limit = limit_of(self.limit)?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| cursors.decode::<Position>(c))
            .transpose()?;
        if after.as_ref().is_some_and(|p| p.sort != sort.name()) {
            return Err(FieldErrors::single(
                "cursor",
                ErrorCode::InvalidFieldFormat,
                "the cursor belongs to another sort order",
            )
            .into());
        }
        Ok(TaskFilter {
            matter_id: self.matter_id,
            assignee,
            statuses,
            due_before: self.due_before,
            due_after: self.due_after,
            overdue: self.overdue.unwrap_or(false),
            parent_id: self.parent_id,
            archived: self.archived.unwrap_or(false),
            sort,
            after,
            limit,
        })
    }
}
