//! Time entries and timers.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{DESCRIPTION_MAX, REASON_MAX, activity_code_shape};

/// The longest single entry: a day.
pub const MINUTES_MAX: i32 = 1440;

/// `POST /api/v1/billing/time-entries/`: the caller's own entry. The billing
/// rate in force for them (matter, activity, date) is frozen onto it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTimeEntry {
    pub matter_id: Option<Uuid>,
    pub activity_code: Option<String>,
    pub description: Option<String>,
    /// 1–1440.
    pub duration_minutes: Option<i32>,
    /// Default true.
    pub is_billable: Option<bool>,
    /// Default today.
    pub work_date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct ValidTimeEntry {
    pub matter_id: Uuid,
    pub activity_code: String,
    pub description: String,
    pub duration_minutes: i32,
    pub is_billable: bool,
    pub work_date: NaiveDate,
}

fn minutes(errors: &mut FieldErrors, value: Option<i32>, required: bool) {
    match value {
        None if required => errors.missing("durationMinutes"),
        Some(m) if !(1..=MINUTES_MAX).contains(&m) => errors.add(
            "durationMinutes",
            ErrorCode::InvalidFieldFormat,
            "must be between 1 and 1440",
        ),
        _ => {}
    }
}

impl CreateTimeEntry {
    pub fn validate(self, today: NaiveDate) -> Result<ValidTimeEntry, ApiError> {
        let mut errors = FieldErrors::new();
        if self.matter_id.is_none() {
            errors.missing("matterId");
        }
        activity_code_shape(&mut errors, "activityCode", self.activity_code.as_deref());
        errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        minutes(&mut errors, self.duration_minutes, true);
        errors.into_result()?;
        Ok(ValidTimeEntry {
            matter_id: self.matter_id.unwrap_or_default(),
            activity_code: self.activity_code.unwrap_or_default(),
            description: self.description.unwrap_or_default().trim().to_owned(),
            duration_minutes: self.duration_minutes.unwrap_or(1),
            is_billable: self.is_billable.unwrap_or(true),
            work_date: self.work_date.unwrap_or(today),
        })
    }
}

/// `PATCH /api/v1/billing/time-entries/{id}`: a DRAFT or REJECTED entry's data.
/// The frozen rate stays; the total follows the duration.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTimeEntry {
    pub activity_code: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i32>,
    pub is_billable: Option<bool>,
    pub work_date: Option<NaiveDate>,
}

impl UpdateTimeEntry {
    pub fn validate(self) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let empty = self.activity_code.is_none()
            && self.description.is_none()
            && self.duration_minutes.is_none()
            && self.is_billable.is_none()
            && self.work_date.is_none();
        if empty {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        if self.activity_code.is_some() {
            activity_code_shape(&mut errors, "activityCode", self.activity_code.as_deref());
        }
        if self.description.is_some() {
            errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        }
        minutes(&mut errors, self.duration_minutes, false);
        errors.into_result()?;
        Ok(Self {
            description: self.description.map(|d| d.trim().to_owned()),
            ..self
        })
    }
}

/// `POST …/{id}/reject`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reject {
    pub reason: Option<String>,
}

impl Reject {
    pub fn validate(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("reason", self.reason.as_deref(), REASON_MAX);
        errors.into_result()?;
        Ok(self.reason.unwrap_or_default().trim().to_owned())
    }
}

/// `POST /api/v1/billing/timers/start`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartTimer {
    pub matter_id: Option<Uuid>,
    pub activity_code: Option<String>,
    pub description: Option<String>,
    /// Default true.
    pub is_billable: Option<bool>,
}

impl StartTimer {
    pub fn validate(self) -> Result<(Uuid, String, String, bool), ApiError> {
        let mut errors = FieldErrors::new();
        if self.matter_id.is_none() {
            errors.missing("matterId");
        }
        activity_code_shape(&mut errors, "activityCode", self.activity_code.as_deref());
        errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        errors.into_result()?;
        Ok((
            self.matter_id.unwrap_or_default(),
            self.activity_code.unwrap_or_default(),
            self.description.unwrap_or_default().trim().to_owned(),
            self.is_billable.unwrap_or(true),
        ))
    }
}

/// `POST /api/v1/billing/timers/{id}/stop`: optionally the entry's work date.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTimer {
    pub work_date: Option<NaiveDate>,
}
