//! Expenses.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{DESCRIPTION_MAX, amount, currency, nullable};

const CATEGORY_MAX: usize = 60;

/// `POST /api/v1/billing/expenses/`: the caller's own expense.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateExpense {
    pub matter_id: Option<Uuid>,
    /// FILING_FEE, COURIER, TRAVEL, … (free text, 1–60 characters).
    pub category: Option<String>,
    pub description: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// Default today.
    pub incurred_on: Option<NaiveDate>,
    /// The receipt: a document id of the documents service.
    pub receipt_document_id: Option<Uuid>,
    /// Default true.
    pub is_billable: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct ValidExpense {
    pub matter_id: Uuid,
    pub category: String,
    pub description: String,
    pub amount_minor: i64,
    pub currency: String,
    pub incurred_on: NaiveDate,
    pub receipt_document_id: Option<Uuid>,
    pub is_billable: bool,
}

impl CreateExpense {
    pub fn validate(self, today: NaiveDate) -> Result<ValidExpense, ApiError> {
        let mut errors = FieldErrors::new();
        if self.matter_id.is_none() {
            errors.missing("matterId");
        }
        errors.text("category", self.category.as_deref(), CATEGORY_MAX);
        errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        currency(&mut errors, "currency", self.currency.as_deref());
        errors.into_result()?;
        Ok(ValidExpense {
            matter_id: self.matter_id.unwrap_or_default(),
            category: self.category.unwrap_or_default().trim().to_owned(),
            description: self.description.unwrap_or_default().trim().to_owned(),
            amount_minor: self.amount_minor.unwrap_or(1),
            currency: self.currency.unwrap_or_default(),
            incurred_on: self.incurred_on.unwrap_or(today),
            receipt_document_id: self.receipt_document_id,
            is_billable: self.is_billable.unwrap_or(true),
        })
    }
}

/// `PATCH /api/v1/billing/expenses/{id}`: a DRAFT or REJECTED expense's data.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateExpense {
    pub category: Option<String>,
    pub description: Option<String>,
    pub amount_minor: Option<i64>,
    pub incurred_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<Uuid>")]
    pub receipt_document_id: Option<Option<Uuid>>,
    pub is_billable: Option<bool>,
}

impl UpdateExpense {
    pub fn validate(self) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        if self.category.is_none()
            && self.description.is_none()
            && self.amount_minor.is_none()
            && self.incurred_on.is_none()
            && self.receipt_document_id.is_none()
            && self.is_billable.is_none()
        {
            errors.add(
                "body",
                ErrorCode::RequiredFieldMissing,
                "at least one field must be given",
            );
        }
        if self.category.is_some() {
            errors.text("category", self.category.as_deref(), CATEGORY_MAX);
        }
        if self.description.is_some() {
            errors.text("description", self.description.as_deref(), DESCRIPTION_MAX);
        }
        if self.amount_minor.is_some() {
            amount(&mut errors, "amountMinor", self.amount_minor, 1);
        }
        errors.into_result()?;
        Ok(Self {
            category: self.category.map(|c| c.trim().to_owned()),
            description: self.description.map(|d| d.trim().to_owned()),
            ..self
        })
    }
}
