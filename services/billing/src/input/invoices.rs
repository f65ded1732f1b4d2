//! Invoices: generation, draft adjustments, issue, void, credit notes.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    AMOUNT_MAX, DESCRIPTION_MAX, REASON_MAX, amount, currency, date, nullable, optional_text,
};

const NOTES_MAX: usize = 4000;

/// `POST /api/v1/billing/invoices/generate`: a DRAFT from the matter's
/// approved, uninvoiced, billable entries and expenses dated in the period.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateInvoice {
    pub matter_id: Option<Uuid>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// Needed only when the matter's billable work is in several currencies.
    pub currency: Option<String>,
    pub notes: Option<String>,
}

impl GenerateInvoice {
    pub fn validate(&self) -> Result<(Uuid, NaiveDate, NaiveDate), ApiError> {
        let mut errors = FieldErrors::new();
        if self.matter_id.is_none() {
            errors.missing("matterId");
        }
        date(&mut errors, "periodStart", self.period_start);
        date(&mut errors, "periodEnd", self.period_end);
        if let (Some(s), Some(e)) = (self.period_start, self.period_end)
            && e < s
        {
            errors.add(
                "periodEnd",
                ErrorCode::InvalidFieldFormat,
                "must not be before periodStart",
            );
        }
        if self.currency.is_some() {
            currency(&mut errors, "currency", self.currency.as_deref());
        }
        optional_text(&mut errors, "notes", self.notes.as_deref(), NOTES_MAX);
        errors.into_result()?;
        Ok((
            self.matter_id.unwrap_or_default(),
            self.period_start.unwrap_or_default(),
            self.period_end.unwrap_or_default(),
        ))
    }
}

/// `PATCH /api/v1/billing/invoices/{id}`: a draft's notes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateInvoice {
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub notes: Option<Option<String>>,
}

impl UpdateInvoice {
    pub fn validate(self) -> Result<Option<String>, ApiError> {
        let mut errors = FieldErrors::new();
        match &self.notes {
            None => errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            ),
            Some(n) => optional_text(&mut errors, "notes", n.as_deref(), NOTES_MAX),
        }
        errors.into_result()?;
        Ok(self
            .notes
            .flatten()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()))
    }
}

/// `POST /api/v1/billing/invoices/{id}/line-items`: an ADJUSTMENT line on a
/// draft (negative for a discount).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddLineItem {
    pub description: Option<String>,
    pub amount_minor: Option<i64>,
    pub service_date: Option<NaiveDate>,
}

impl AddLineItem {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        match self.amount_minor {
            None => errors.missing("amountMinor"),
            Some(0) => errors.add(
                "amountMinor",
                ErrorCode::InvalidFieldFormat,
                "must not be 0",
            ),
            Some(a) if a.abs() > AMOUNT_MAX => {
                errors.add("amountMinor", ErrorCode::InvalidFieldFormat, "is too large")
            }
            Some(_) => {}
        }
        errors.into_result()
    }
}

/// `POST /api/v1/billing/invoices/{id}/issue`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueInvoice {
    /// Default today.
    pub issue_date: Option<NaiveDate>,
    /// Default issue date + paymentTermsDays.
    pub due_date: Option<NaiveDate>,
    /// 0–365, default 30 (used when dueDate is absent).
    pub payment_terms_days: Option<i64>,
}

impl IssueInvoice {
    pub fn validate(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let mut errors = FieldErrors::new();
        let issue = self.issue_date.unwrap_or(today);
        let terms = self.payment_terms_days.unwrap_or(30);
        if !(0..=365).contains(&terms) {
            errors.add(
                "paymentTermsDays",
                ErrorCode::InvalidFieldFormat,
                "must be between 0 and 365",
            );
        }
        let due = self
            .due_date
            .unwrap_or(issue + chrono::Days::new(terms.clamp(0, 365) as u64));
        if due < issue {
            errors.add(
                "dueDate",
                ErrorCode::InvalidFieldFormat,
                "must not be before the issue date",
            );
        }
        errors.into_result()?;
        Ok((issue, due))
    }
}

/// `POST …/void` and the reversal of a payment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reason {
    pub reason: Option<String>,
}

impl Reason {
    pub fn validate(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("reason", self.reason.as_deref(), REASON_MAX);
        errors.into_result()?;
        Ok(self.reason.unwrap_or_default().trim().to_owned())
    }
}

/// `POST /api/v1/billing/invoices/{id}/credit-notes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCreditNote {
    pub amount_minor: Option<i64>,
    pub reason: Option<String>,
}

impl CreateCreditNote {
    pub fn validate(self) -> Result<(i64, String), ApiError> {
        let mut errors = FieldErrors::new();
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        errors.text("reason", self.reason.as_deref(), REASON_MAX);
        errors.into_result()?;
        Ok((
            self.amount_minor.unwrap_or(1),
            self.reason.unwrap_or_default().trim().to_owned(),
        ))
    }
}
