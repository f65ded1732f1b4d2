//! Appointment bodies: create, PATCH, attendees, responses, exceptions, and the
//! list window's parameters.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lawos_core::validation::{FieldErrors, is_email};
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{DESCRIPTION_MAX, TITLE_MAX, nullable, optional_text, time_zone, trimmed};
use crate::model::{RESPONSES, TYPES};
use crate::recurrence;
use crate::storage::occurrences::{Window, WindowPosition};

pub const ATTENDEES_MAX: usize = 50;
pub const REMINDERS_MAX: usize = 5;

/// One attendee: a firm user (`userId`), a contact (`contactId`) or someone
/// outside the firm by e-mail (`email`, e.g. a partner attorney).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendeeInput {
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A validated attendee.
#[derive(Debug, Clone, PartialEq)]
pub enum Invitee {
    User(Uuid),
    Contact(Uuid, Option<String>),
    External(String, Option<String>),
}

fn invitees(errors: &mut FieldErrors, list: Option<Vec<AttendeeInput>>) -> Vec<Invitee> {
    let list = list.unwrap_or_default();
    if list.len() > ATTENDEES_MAX {
        errors.add(
            "attendees",
            ErrorCode::InvalidFieldFormat,
            format!("at most {ATTENDEES_MAX} attendees"),
        );
    }
    let mut out = Vec::new();
    for (i, a) in list.into_iter().enumerate() {
        let given = [
            a.user_id.is_some(),
            a.contact_id.is_some(),
            a.email.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        let field = format!("attendees[{i}]");
        let name = trimmed(a.name);
        let invitee = match (given, a.user_id, a.contact_id, a.email) {
            (1, Some(u), _, _) => Invitee::User(u),
            (1, _, Some(c), _) => Invitee::Contact(c, name),
            (1, _, _, Some(e)) if is_email(e.trim()) => {
                Invitee::External(e.trim().to_ascii_lowercase(), name)
            }
            (1, _, _, Some(_)) => {
                errors.add(
                    &format!("{field}.email"),
                    ErrorCode::InvalidFieldFormat,
                    "must be an e-mail address",
                );
                continue;
            }
            _ => {
                errors.add(
                    &field,
                    ErrorCode::InvalidFieldFormat,
                    "give exactly one of userId, contactId, email",
                );
                continue;
            }
        };
        if !out.contains(&invitee) {
            out.push(invitee);
        }
    }
    out
}

fn reminders(errors: &mut FieldErrors, list: Option<Vec<i32>>) -> Option<Vec<i32>> {
    let mut list = list?;
    if list.len() > REMINDERS_MAX || list.iter().any(|m| !(0..=40_320).contains(m)) {
        errors.add(
            "reminderMinutes",
            ErrorCode::InvalidFieldFormat,
            format!("at most {REMINDERS_MAX} values, each 0–40320 minutes"),
        );
    }
    list.sort_unstable_by(|a, b| b.cmp(a));
    list.dedup();
    Some(list)
}

fn kind(errors: &mut FieldErrors, value: Option<&str>, required: bool) {
    match value {
        Some(t) => errors.one_of("type", t, &TYPES),
        None if required => errors.missing("type"),
        None => {}
    }
}

fn video_url(errors: &mut FieldErrors, value: Option<&str>) {
    if let Some(v) = value
        && !(v.starts_with("https://") || v.starts_with("http://"))
    {
        errors.add(
            "videoUrl",
            ErrorCode::InvalidFieldFormat,
            "must be an http(s) URL",
        );
    }
    optional_text(errors, "videoUrl", value, 2000);
}

/// `POST /api/v1/tasks/appointments/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAppointment {
    pub title: Option<String>,
    pub description: Option<String>,
    /// CONSULTATION, HEARING, MEETING, DEADLINE or CALL.
    #[serde(rename = "type")]
    pub appointment_type: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone (default UTC); a recurrence repeats at the same local time in it.
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub video_url: Option<String>,
    /// The matter it belongs to (checked at matters); absent: firm-level.
    pub matter_id: Option<Uuid>,
    /// Organizer (default: the caller; a service must name one).
    pub organizer_user_id: Option<Uuid>,
    pub attendees: Option<Vec<AttendeeInput>>,
    /// RRULE value (RFC 5545), e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`; at most daily.
    pub recurrence: Option<String>,
    /// Minutes before each occurrence to remind (default: the firm's, else [1440, 15]).
    pub reminder_minutes: Option<Vec<i32>>,
    /// Schedule even when attendees are busy then (default false: 409 naming the clashes).
    pub allow_conflicts: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct ValidAppointment {
    pub title: String,
    pub description: Option<String>,
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: Tz,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub matter_id: Option<Uuid>,
    pub organizer: Option<Uuid>,
    pub invitees: Vec<Invitee>,
    pub recurrence: Option<String>,
    pub reminder_minutes: Option<Vec<i32>>,
    pub allow_conflicts: bool,
}

/// Start, end, zone and rule checked together.
fn times(
    errors: &mut FieldErrors,
    starts: Option<DateTime<Utc>>,
    ends: Option<DateTime<Utc>>,
    tz: Tz,
    rule: Option<&str>,
) {
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.add(
                "endsAt",
                ErrorCode::InvalidFieldFormat,
                "must be after startsAt",
            );
        }
        if e - s > chrono::Duration::days(7) {
            errors.add(
                "endsAt",
                ErrorCode::InvalidFieldFormat,
                "an appointment lasts at most 7 days",
            );
        }
        if let Some(rule) = rule
            && let Err(reason) = recurrence::check(rule, s, tz)
        {
            errors.add("recurrence", ErrorCode::InvalidFieldFormat, reason);
        }
    }
}

impl CreateAppointment {
    pub fn validate(self) -> Result<ValidAppointment, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("title", self.title.as_deref(), TITLE_MAX);
        optional_text(
            &mut errors,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        optional_text(&mut errors, "location", self.location.as_deref(), 500);
        video_url(&mut errors, self.video_url.as_deref());
        kind(&mut errors, self.appointment_type.as_deref(), true);
        if self.starts_at.is_none() {
            errors.missing("startsAt");
        }
        if self.ends_at.is_none() {
            errors.missing("endsAt");
        }
        let tz = time_zone(&mut errors, "timeZone", self.time_zone.as_deref()).unwrap_or(Tz::UTC);
        let rule = self.recurrence.as_deref().map(recurrence::normalise);
        times(
            &mut errors,
            self.starts_at,
            self.ends_at,
            tz,
            rule.as_deref(),
        );
        let invitees = invitees(&mut errors, self.attendees);
        let reminder_minutes = reminders(&mut errors, self.reminder_minutes);
        errors.into_result()?;
        Ok(ValidAppointment {
            title: self.title.unwrap_or_default().trim().to_owned(),
            description: trimmed(self.description),
            appointment_type: self.appointment_type.unwrap_or_default(),
            starts_at: self.starts_at.unwrap_or_default(),
            ends_at: self.ends_at.unwrap_or_default(),
            time_zone: tz,
            location: trimmed(self.location),
            video_url: trimmed(self.video_url),
            matter_id: self.matter_id,
            organizer: self.organizer_user_id,
            invitees,
            recurrence: rule,
            reminder_minutes,
            allow_conflicts: self.allow_conflicts.unwrap_or(false),
        })
    }
}

/// `PATCH /api/v1/tasks/appointments/{id}`: only the given fields; `null` clears.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAppointment {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub description: Option<Option<String>>,
    #[serde(rename = "type")]
    pub appointment_type: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub video_url: Option<Option<String>>,
    /// A new rule, or null to make it a single appointment.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub recurrence: Option<Option<String>>,
    /// Replaces the attendees (the organizer stays; kept attendees keep their responses).
    pub attendees: Option<Vec<AttendeeInput>>,
    pub reminder_minutes: Option<Vec<i32>>,
    /// When it really started and ended.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub actual_start_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub actual_end_at: Option<Option<DateTime<Utc>>>,
    pub allow_conflicts: Option<bool>,
}

/// A validated PATCH (times are checked against the current ones by the handler).
#[derive(Debug)]
pub struct ValidPatch {
    pub body: UpdateAppointment,
    pub time_zone: Option<Tz>,
    pub invitees: Option<Vec<Invitee>>,
    pub reminder_minutes: Option<Vec<i32>>,
}

impl UpdateAppointment {
    pub fn validate(mut self) -> Result<ValidPatch, ApiError> {
        let mut errors = FieldErrors::new();
        if let Some(t) = &self.title {
            errors.text("title", Some(t), TITLE_MAX);
        }
        if let Some(Some(d)) = &self.description {
            optional_text(&mut errors, "description", Some(d), DESCRIPTION_MAX);
        }
        if let Some(Some(l)) = &self.location {
            optional_text(&mut errors, "location", Some(l), 500);
        }
        if let Some(Some(v)) = &self.video_url {
            video_url(&mut errors, Some(v));
        }
        kind(&mut errors, self.appointment_type.as_deref(), false);
        let tz = time_zone(&mut errors, "timeZone", self.time_zone.as_deref());
        let invitees = self
            .attendees
            .take()
            .map(|list| invitees(&mut errors, Some(list)));
        let reminder_minutes = reminders(&mut errors, self.reminder_minutes.take());
        errors.into_result()?;
        self.recurrence = self
            .recurrence
            .map(|r| r.map(|r| recurrence::normalise(&r)));
        Ok(ValidPatch {
            body: self,
            time_zone: tz,
            invitees,
            reminder_minutes,
        })
    }

    pub fn changes_time(&self) -> bool {
        self.starts_at.is_some()
            || self.ends_at.is_some()
            || self.time_zone.is_some()
            || self.recurrence.is_some()
    }
}

/// Final checks of the times a PATCH leads to.
pub fn check_times(
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    tz: Tz,
    rule: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    times(&mut errors, Some(starts), Some(ends), tz, rule);
    errors.into_result()
}

/// `POST /api/v1/tasks/appointments/{id}/responses`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResponseBody {
    /// ACCEPTED, DECLINED or TENTATIVE.
    pub response: Option<String>,
    /// The attendee answering (default: the caller's own attendance); the
    /// organizer may answer for a contact or external attendee.
    pub attendee_id: Option<Uuid>,
}

impl ResponseBody {
    pub fn validate(&self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        match self.response.as_deref() {
            None => errors.missing("response"),
            Some(r) => errors.one_of("response", r, &RESPONSES),
        }
        errors.into_result()?;
        Ok(self.response.clone().unwrap_or_default())
    }
}

/// `POST /api/v1/tasks/appointments/{id}/exceptions`: one occurrence cancelled or moved.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExceptionBody {
    /// The occurrence (as the recurrence puts it).
    pub occurrence_starts_at: Option<DateTime<Utc>>,
    /// true: the occurrence does not take place.
    pub cancelled: Option<bool>,
    /// Where a moved occurrence takes place instead.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub allow_conflicts: Option<bool>,
}

impl ExceptionBody {
    /// `(occurrence, moved to)`; `None` moved: cancelled.
    #[allow(clippy::type_complexity)]
    pub fn validate(
        &self,
    ) -> Result<(DateTime<Utc>, Option<(DateTime<Utc>, DateTime<Utc>)>), ApiError> {
        let mut errors = FieldErrors::new();
        if self.occurrence_starts_at.is_none() {
            errors.missing("occurrenceStartsAt");
        }
        let moved = match (
            self.cancelled.unwrap_or(false),
            self.starts_at,
            self.ends_at,
        ) {
            (true, None, None) => None,
            (false, Some(s), Some(e)) if e > s => Some((s, e)),
            (false, Some(_), Some(_)) => {
                errors.add(
                    "endsAt",
                    ErrorCode::InvalidFieldFormat,
                    "must be after startsAt",
                );
                None
            }
            _ => {
                errors.add(
                    "cancelled",
                    ErrorCode::InvalidFieldFormat,
                    "give cancelled: true, or startsAt and endsAt",
                );
                None
            }
        };
        errors.into_result()?;
        Ok((self.occurrence_starts_at.unwrap_or_default(), moved))
    }
}

/// `GET /api/v1/tasks/appointments/`: occurrences in a window.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentListQuery {
    /// Window start (default: now).
    pub from: Option<DateTime<Utc>>,
    /// Window end (default: 30 days after from; at most 366 days after it and
    /// within the 18-month horizon).
    pub to: Option<DateTime<Utc>>,
    /// Only this matter's appointments.
    pub matter_id: Option<Uuid>,
    /// `me` or a user id: appointments they attend (default `me` without matter_id).
    pub attendee: Option<String>,
    /// CONSULTATION, HEARING, MEETING, DEADLINE or CALL.
    #[serde(rename = "type")]
    pub appointment_type: Option<String>,
    /// SCHEDULED or CANCELLED.
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

impl AppointmentListQuery {
    pub fn validate(self, cursors: &CursorCodec, me: Option<Uuid>) -> Result<Window, ApiError> {
        let mut errors = FieldErrors::new();
        let from = self.from.unwrap_or_else(Utc::now);
        let to = self.to.unwrap_or(from + chrono::Duration::days(30));
        if to <= from {
            errors.add("to", ErrorCode::InvalidFieldFormat, "must be after from");
        } else if to - from > chrono::Duration::days(366) {
            errors.add(
                "to",
                ErrorCode::InvalidFieldFormat,
                "a window spans at most 366 days",
            );
        }
        if to > Utc::now() + recurrence::HORIZON {
            errors.add(
                "to",
                ErrorCode::InvalidFieldFormat,
                "occurrences are listed up to 18 months ahead",
            );
        }
        let attendee = match (self.attendee.as_deref(), self.matter_id) {
            (None, None) => me,
            (value, _) => super::list::person(&mut errors, "attendee", value, me),
        };
        if let Some(t) = &self.appointment_type {
            errors.one_of("type", t, &TYPES);
        }
        if let Some(s) = &self.status {
            errors.one_of("status", s, &["SCHEDULED", "CANCELLED"]);
        }
        errors.into_result()?;
        let limit = super::list::limit_of(self.limit)?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| cursors.decode::<WindowPosition>(c))
            .transpose()?;
        Ok(Window {
            from,
            to,
            matter_id: self.matter_id,
            attendee,
            appointment_type: self.appointment_type,
            status: self.status,
            after,
            limit,
        })
    }
}
