//! Notes, parties and budgets of a matter.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{optional_text, trimmed};

const NOTE_MAX: usize = 20_000;

/// `POST` and `PATCH /api/v1/matters/{id}/notes[/{noteId}]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteBody {
    pub body: Option<String>,
}

impl NoteBody {
    pub fn validate(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("body", self.body.as_deref(), NOTE_MAX);
        errors.into_result()?;
        Ok(self.body.unwrap_or_default().trim().to_owned())
    }
}

const PARTY_NOTES_MAX: usize = 2_000;

/// `POST /api/v1/matters/{id}/contacts`: a party.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddParty {
    pub contact_id: Option<Uuid>,
    pub role: Option<String>,
    pub notes: Option<String>,
}

/// A validated party: contact, role, notes.
pub type ValidParty = (Uuid, String, Option<String>);

impl AddParty {
    pub fn validate(self) -> Result<ValidParty, ApiError> {
        let mut errors = FieldErrors::new();
        if self.contact_id.is_none() {
            errors.missing("contactId");
        }
        let role = self.role.as_deref().map(str::to_ascii_uppercase);
        match role.as_deref() {
            None | Some("") => errors.missing("role"),
            Some(r) => errors.one_of("role", r, &crate::model::PARTY_ROLES),
        }
        optional_text(&mut errors, "notes", self.notes.as_deref(), PARTY_NOTES_MAX);
        errors.into_result()?;
        Ok((
            self.contact_id.unwrap_or_default(),
            role.unwrap_or_default(),
            trimmed(self.notes),
        ))
    }
}

/// `POST /api/v1/matters/{id}/budgets`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddBudget {
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub period_start: Option<chrono::NaiveDate>,
    pub period_end: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
}

/// A validated budget.
#[derive(Debug, Clone)]
pub struct ValidBudget {
    pub amount_minor: i64,
    pub currency: String,
    pub period_start: Option<chrono::NaiveDate>,
    pub period_end: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
}

impl AddBudget {
    pub fn validate(self) -> Result<ValidBudget, ApiError> {
        let mut errors = FieldErrors::new();
        match self.amount_minor {
            None => errors.missing("amountMinor"),
            Some(n) if n < 0 => errors.add(
                "amountMinor",
                ErrorCode::InvalidFieldFormat,
                "must be zero or more (minor units)",
            ),
            Some(_) => {}
        }
        let currency = self.currency.as_deref().map(str::to_ascii_uppercase);
        match currency.as_deref() {
            None | Some("") => errors.missing("currency"),
            Some(c) if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) => errors.add(
                "currency",
                ErrorCode::InvalidFieldFormat,
                "must be an ISO 4217 code such as USD",
            ),
            Some(_) => {}
        }
        if let (Some(start), Some(end)) = (self.period_start, self.period_end)
            && end < start
        {
            errors.add(
                "periodEnd",
                ErrorCode::InvalidFieldFormat,
                "must not be before periodStart",
            );
        }
        optional_text(&mut errors, "notes", self.notes.as_deref(), PARTY_NOTES_MAX);
        errors.into_result()?;
        Ok(ValidBudget {
            amount_minor: self.amount_minor.unwrap_or_default(),
            currency: currency.unwrap_or_default(),
            period_start: self.period_start,
            period_end: self.period_end,
            notes: trimmed(self.notes),
        })
    }
}
