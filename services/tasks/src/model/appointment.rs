//! Appointments, attendees, exceptions, notes, consents and feed tokens.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{
    appointment_attendees, appointment_consents, appointment_exceptions, appointment_notes,
    appointments, feed_tokens,
};

pub const TYPES: [&str; 5] = ["CONSULTATION", "HEARING", "MEETING", "DEADLINE", "CALL"];
pub const RESPONSES: [&str; 3] = ["ACCEPTED", "DECLINED", "TENTATIVE"];
pub const SCHEDULED: &str = "SCHEDULED";
pub const CANCELLED: &str = "CANCELLED";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = appointments, check_for_backend(diesel::pg::Pg))]
pub struct Appointment {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub organizer_user_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub appointment_type: String,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub recurrence: Option<String>,
    pub series_ends_at: Option<DateTime<Utc>>,
    pub materialized_until: DateTime<Utc>,
    pub reminder_minutes: Vec<i32>,
    pub actual_start_at: Option<DateTime<Utc>>,
    pub actual_end_at: Option<DateTime<Utc>>,
    pub sequence: i32,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Uuid>,
}

impl Appointment {
    pub fn etag(&self) -> String {
        super::etag_of(self.id, self.updated_at)
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == CANCELLED
    }

    pub fn duration(&self) -> chrono::Duration {
        self.ends_at - self.starts_at
    }

    pub fn view(&self, attendees: Vec<Attendee>) -> AppointmentView {
        AppointmentView {
            id: self.id,
            firm_id: self.firm_id,
            matter_id: self.matter_id,
            organizer_user_id: self.organizer_user_id,
            title: self.title.clone(),
            description: self.description.clone(),
            appointment_type: self.appointment_type.clone(),
            status: self.status.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone.clone(),
            location: self.location.clone(),
            video_url: self.video_url.clone(),
            recurrence: self.recurrence.clone(),
            series_ends_at: self.series_ends_at,
            reminder_minutes: self.reminder_minutes.clone(),
            actual_start_at: self.actual_start_at,
            actual_end_at: self.actual_end_at,
            attendees,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
            cancelled_at: self.cancelled_at,
        }
    }
}

/// An appointment as the API answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentView {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub organizer_user_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// CONSULTATION, HEARING, MEETING, DEADLINE or CALL.
    #[serde(rename = "type")]
    pub appointment_type: String,
    /// SCHEDULED or CANCELLED.
    pub status: String,
    /// The (first) occurrence's start and end.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA time zone the appointment (and its recurrence) is kept in.
    pub time_zone: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    /// RRULE value (RFC 5545) of a recurring appointment.
    pub recurrence: Option<String>,
    /// The end of the series' last occurrence; null while it repeats without end.
    pub series_ends_at: Option<DateTime<Utc>>,
    /// Minutes before each occurrence at which reminders fire.
    pub reminder_minutes: Vec<i32>,
    pub actual_start_at: Option<DateTime<Utc>>,
    pub actual_end_at: Option<DateTime<Utc>>,
    pub attendees: Vec<Attendee>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// One occurrence in a list window: the appointment and when this occurrence is.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OccurrenceView {
    /// Where the recurrence put this occurrence (its RECURRENCE-ID).
    pub occurrence_starts_at: DateTime<Utc>,
    /// When it takes place (differs when the occurrence was moved).
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub appointment: AppointmentView,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, JsonSchema)]
#[diesel(table_name = appointment_attendees, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub id: Uuid,
    #[serde(skip)]
    pub appointment_id: Uuid,
    /// USER, CONTACT or EXTERNAL.
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub organizer: bool,
    /// NEEDS_ACTION, ACCEPTED, DECLINED or TENTATIVE.
    pub response: String,
    pub responded_at: Option<DateTime<Utc>>,
    pub responded_by: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appointment_attendees)]
pub struct NewAttendee {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub appointment_id: Uuid,
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub organizer: bool,
    pub response: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, JsonSchema)]
#[diesel(table_name = appointment_exceptions, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    pub id: Uuid,
    pub appointment_id: Uuid,
    /// The occurrence this exception is about (its RECURRENCE-ID).
    pub occurrence_starts_at: DateTime<Utc>,
    /// The occurrence does not take place (an EXDATE).
    pub cancelled: bool,
    /// Where a moved occurrence takes place instead.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, JsonSchema)]
#[diesel(table_name = appointment_notes, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub body: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = appointment_consents, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: Uuid,
    #[serde(skip)]
    pub firm_id: Uuid,
    pub appointment_id: Uuid,
    pub attendee_id: Option<Uuid>,
    /// RECORDING, VIDEO_CALL, DATA_PROCESSING or OTHER.
    pub consent_type: String,
    pub granted: bool,
    /// VERBAL, WRITTEN or ELECTRONIC.
    pub method: String,
    pub note: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, JsonSchema)]
#[diesel(table_name = feed_tokens, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct FeedToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appointments)]
pub struct NewAppointment {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub organizer_user_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub recurrence: Option<String>,
    pub series_ends_at: Option<DateTime<Utc>>,
    pub materialized_until: DateTime<Utc>,
    pub reminder_minutes: Vec<i32>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
}

/// What a PATCH may change (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = appointments)]
pub struct AppointmentChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub appointment_type: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub location: Option<Option<String>>,
    pub video_url: Option<Option<String>>,
    pub recurrence: Option<Option<String>>,
    pub series_ends_at: Option<Option<DateTime<Utc>>>,
    pub materialized_until: Option<DateTime<Utc>>,
    pub reminder_minutes: Option<Vec<i32>>,
    pub actual_start_at: Option<Option<DateTime<Utc>>>,
    pub actual_end_at: Option<Option<DateTime<Utc>>>,
    pub sequence: Option<i32>,
}
