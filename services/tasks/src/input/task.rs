//! Task bodies: create, PATCH / PUT, assign, status, checklist items.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{DESCRIPTION_MAX, TITLE_MAX, nullable, optional_text, time_zone, trimmed};
use crate::model::{PRIORITIES, TaskChanges};
use crate::status::{STATUSES, Status};

pub const ASSIGNEES_MAX: usize = 20;
pub const CHECKLIST_TITLE_MAX: usize = 500;

/// When a task is due, as given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Due {
    At(DateTime<Utc>),
    /// A day, read in the time zone (the firm's unless given).
    Date(NaiveDate),
}

/// A due date or time and the time zone it is read in (none: the firm's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DueInput {
    pub due: Due,
    pub time_zone: Option<Tz>,
}

/// The stored form: `(due_at, due_date, due_time_zone)`.
pub type StoredDue = (DateTime<Utc>, Option<NaiveDate>, String);

impl DueInput {
    /// Resolved in `tz` (the given zone, else the firm's): a date is due at the
    /// end of that day, the next local midnight.
    pub fn resolve(self, firm_tz: Tz) -> StoredDue {
        let tz = self.time_zone.unwrap_or(firm_tz);
        match self.due {
            Due::At(at) => (at, None, tz.name().to_owned()),
            Due::Date(day) => (end_of_day(day, tz), Some(day), tz.name().to_owned()),
        }
    }
}

/// The instant `day` ends in `tz` (the next day's first local instant).
pub fn end_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = tz.from_local_datetime(&midnight);
    local
        .earliest()
        .or_else(|| local.latest())
        .map(|t| t.with_timezone(&Utc))
        // A zone skipping midnight (a DST gap): the first hour after it.
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

fn due_of(
    errors: &mut FieldErrors,
    at: Option<DateTime<Utc>>,
    date: Option<NaiveDate>,
    zone: Option<&str>,
) -> Option<DueInput> {
    let time_zone = time_zone(errors, "dueTimeZone", zone);
    let due = match (at, date) {
        (Some(_), Some(_)) => {
            errors.add(
                "dueDate",
                ErrorCode::InvalidFieldFormat,
                "give dueAt (a date-time) or dueDate (a date), not both",
            );
            return None;
        }
        (Some(at), None) => Due::At(at),
        (None, Some(day)) => Due::Date(day),
        (None, None) => {
            if zone.is_some() {
                errors.add(
                    "dueTimeZone",
                    ErrorCode::InvalidFieldFormat,
                    "needs dueAt or dueDate",
                );
            }
            return None;
        }
    };
    Some(DueInput { due, time_zone })
}

fn priority(errors: &mut FieldErrors, value: Option<&str>) {
    if let Some(p) = value {
        errors.one_of("priority", p, &PRIORITIES);
    }
}

/// `POST /api/v1/tasks/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTask {
    pub title: Option<String>,
    pub description: Option<String>,
    /// LOW, NORMAL (default), HIGH or URGENT.
    pub priority: Option<String>,
    /// The matter the task belongs to (checked at matters); absent: a firm-level task.
    pub matter_id: Option<Uuid>,
    /// Makes this a subtask of a top-level task (it takes the parent's matter).
    pub parent_id: Option<Uuid>,
    /// Due at this instant (RFC 3339).
    pub due_at: Option<DateTime<Utc>>,
    /// Due on this day (YYYY-MM-DD), until its end in dueTimeZone.
    pub due_date: Option<NaiveDate>,
    /// IANA time zone of the due date (default: the firm's, from its settings).
    pub due_time_zone: Option<String>,
    /// Firm members to assign at once (each must reach the matter).
    pub assignee_user_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone)]
pub struct ValidTask {
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub matter_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub due: Option<DueInput>,
    pub assignees: Vec<Uuid>,
}

fn assignees(errors: &mut FieldErrors, field: &str, ids: Option<Vec<Uuid>>) -> Vec<Uuid> {
    let mut ids = ids.unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > ASSIGNEES_MAX {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("at most {ASSIGNEES_MAX} assignees"),
        );
    }
    ids
}

impl CreateTask {
    pub fn validate(self) -> Result<ValidTask, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("title", self.title.as_deref(), TITLE_MAX);
        optional_text(
            &mut errors,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        priority(&mut errors, self.priority.as_deref());
        let due = due_of(
            &mut errors,
            self.due_at,
            self.due_date,
            self.due_time_zone.as_deref(),
        );
        let assignees = assignees(&mut errors, "assigneeUserIds", self.assignee_user_ids);
        errors.into_result()?;
        Ok(ValidTask {
            title: self.title.unwrap_or_default().trim().to_owned(),
            description: trimmed(self.description),
            priority: self.priority.unwrap_or_else(|| "NORMAL".to_owned()),
            matter_id: self.matter_id,
            parent_id: self.parent_id,
            due,
            assignees,
        })
    }
}

/// `PATCH /api/v1/tasks/{id}`: only the given fields; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTask {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    /// A new due instant; null (with dueDate absent or null) clears the due date.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<NaiveDate>")]
    pub due_date: Option<Option<NaiveDate>>,
    pub due_time_zone: Option<String>,
}

/// A validated PATCH: the data changes and the due date to resolve (`Some(None)`: clear).
#[derive(Debug, Clone)]
pub struct ValidUpdate {
    pub changes: TaskChanges,
    pub due: Option<Option<DueInput>>,
}

impl UpdateTask {
    pub fn validate(self) -> Result<ValidUpdate, ApiError> {
        let mut errors = FieldErrors::new();
        if let Some(title) = &self.title {
            errors.text("title", Some(title), TITLE_MAX);
        }
        if let Some(Some(d)) = &self.description {
            optional_text(&mut errors, "description", Some(d), DESCRIPTION_MAX);
        }
        priority(&mut errors, self.priority.as_deref());
        let due_given =
            self.due_at.is_some() || self.due_date.is_some() || self.due_time_zone.is_some();
        let due = due_of(
            &mut errors,
            self.due_at.flatten(),
            self.due_date.flatten(),
            self.due_time_zone.as_deref(),
        );
        errors.into_result()?;
        Ok(ValidUpdate {
            changes: TaskChanges {
                title: self.title.map(|t| t.trim().to_owned()),
                description: self.description.map(trimmed),
                priority: self.priority,
                ..TaskChanges::default()
            },
            due: due_given.then_some(due),
        })
    }
}

/// `PUT /api/v1/tasks/{id}`: every data field; absent optional fields are cleared.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplaceTask {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub due_time_zone: Option<String>,
}

impl ReplaceTask {
    pub fn into_patch(self) -> Result<UpdateTask, ApiError> {
        if self.title.is_none() {
            return Err(FieldErrors::single(
                "title",
                ErrorCode::RequiredFieldMissing,
                "is required",
            )
            .into());
        }
        Ok(UpdateTask {
            title: self.title,
            description: Some(self.description),
            priority: Some(self.priority.unwrap_or_else(|| "NORMAL".to_owned())),
            due_at: Some(self.due_at),
            due_date: Some(self.due_date),
            due_time_zone: self.due_time_zone,
        })
    }
}

/// `PUT /api/v1/tasks/{id}/assign`: the task's assignees from now on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignBody {
    /// Every assignee (firm members who can reach the task's matter); an empty
    /// list removes them all.
    pub assignee_user_ids: Option<Vec<Uuid>>,
}

impl AssignBody {
    pub fn validate(self) -> Result<Vec<Uuid>, ApiError> {
        let mut errors = FieldErrors::new();
        if self.assignee_user_ids.is_none() {
            errors.missing("assigneeUserIds");
        }
        let ids = assignees(&mut errors, "assigneeUserIds", self.assignee_user_ids);
        errors.into_result()?;
        Ok(ids)
    }
}

/// `PUT /api/v1/tasks/{id}/status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    /// OPEN, IN_PROGRESS, DONE or CANCELLED.
    pub status: Option<String>,
}

impl StatusBody {
    pub fn validate(self) -> Result<Status, ApiError> {
        match self.status.as_deref().map(|s| (s, Status::parse(s))) {
            None => {
                Err(
                    FieldErrors::single("status", ErrorCode::RequiredFieldMissing, "is required")
                        .into(),
                )
            }
            Some((_, Some(status))) => Ok(status),
            Some((s, None)) => {
                let mut errors = FieldErrors::new();
                errors.one_of("status", s, &STATUSES);
                Err(errors.into_api_error())
            }
        }
    }
}

/// `POST /api/v1/tasks/{id}/checklist` and `PATCH …/checklist/{itemId}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChecklistBody {
    pub title: Option<String>,
    pub done: Option<bool>,
    /// Order in the list (default: last).
    pub position: Option<i32>,
}

impl ChecklistBody {
    /// `create`: the title is required.
    pub fn validate(&self, create: bool) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        if create || self.title.is_some() {
            errors.text("title", self.title.as_deref(), CHECKLIST_TITLE_MAX);
        }
        if self.position.is_some_and(|p| !(0..=10_000).contains(&p)) {
            errors.add(
                "position",
                ErrorCode::InvalidFieldFormat,
                "must be between 0 and 10000",
            );
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_date_ends_at_the_next_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default();
        let ny = end_of_day(day, Tz::America__New_York);
        assert_eq!(ny.to_rfc3339(), "2026-03-11T04:00:00+00:00");
        assert_eq!(
            end_of_day(day, Tz::UTC).to_rfc3339(),
            "2026-03-11T00:00:00+00:00"
        );
    }

    #[test]
    fn both_dues_or_a_bad_zone_are_named() {
        let body: CreateTask = serde_json::from_value(serde_json::json!({
            "title": "x", "dueAt": "2026-03-10T10:00:00Z", "dueDate": "2026-03-10",
            "dueTimeZone": "Nowhere/Land", "priority": "SOON"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let err = body
            .validate()
            .err()
            .map(|e| e.body("r"))
            .unwrap_or_default();
        let fields: Vec<&str> = err["error"]["details"]["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["field"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["priority", "dueTimeZone", "dueDate"]);
    }
}
