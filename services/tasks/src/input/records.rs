//! Appointment notes and consent records.

use lawos_core::ApiError;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::optional_text;

pub const CONSENT_TYPES: [&str; 4] = ["RECORDING", "VIDEO_CALL", "DATA_PROCESSING", "OTHER"];
pub const CONSENT_METHODS: [&str; 3] = ["VERBAL", "WRITTEN", "ELECTRONIC"];

/// `POST /api/v1/tasks/appointments/{id}/notes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteBody {
    pub body: Option<String>,
}

impl NoteBody {
    pub fn validate(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("body", self.body.as_deref(), 20_000);
        errors.into_result()?;
        Ok(self.body.unwrap_or_default().trim().to_owned())
    }
}

/// `POST /api/v1/tasks/appointments/{id}/consents`: appended, never changed (a
/// withdrawal is a new record with `granted: false`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentBody {
    /// The attendee who consented (absent: recorded for the appointment as a whole).
    pub attendee_id: Option<Uuid>,
    /// RECORDING, VIDEO_CALL, DATA_PROCESSING or OTHER.
    pub consent_type: Option<String>,
    pub granted: Option<bool>,
    /// VERBAL, WRITTEN or ELECTRONIC.
    pub method: Option<String>,
    pub note: Option<String>,
}

impl ConsentBody {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        match self.consent_type.as_deref() {
            None => errors.missing("consentType"),
            Some(t) => errors.one_of("consentType", t, &CONSENT_TYPES),
        }
        if self.granted.is_none() {
            errors.missing("granted");
        }
        match self.method.as_deref() {
            None => errors.missing("method"),
            Some(m) => errors.one_of("method", m, &CONSENT_METHODS),
        }
        optional_text(&mut errors, "note", self.note.as_deref(), 2000);
        errors.into_result()
    }
}
