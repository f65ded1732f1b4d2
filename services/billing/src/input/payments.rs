//! Payments: record, allocate, deallocate, refund, reverse.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{REFERENCE_MAX, amount, currency, date, optional_text, trimmed};
use crate::model::payment::METHODS;

/// Money put on (or taken off) one invoice.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationInput {
    pub invoice_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
}

pub const ALLOCATIONS_MAX: usize = 50;

/// Checks `allocations[i]`; answers `(invoice, amount)` pairs.
fn allocations(errors: &mut FieldErrors, list: &[AllocationInput]) -> Vec<(Uuid, i64)> {
    if list.len() > ALLOCATIONS_MAX {
        errors.add(
            "allocations",
            ErrorCode::InvalidFieldFormat,
            "at most 50 allocations",
        );
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, a) in list.iter().enumerate() {
        match a.invoice_id {
            None => errors.missing(&format!("allocations[{i}].invoiceId")),
            Some(id) if !seen.insert(id) => errors.add(
                &format!("allocations[{i}].invoiceId"),
                ErrorCode::InvalidFieldFormat,
                "names an invoice twice",
            ),
            Some(_) => {}
        }
        amount(
            errors,
            &format!("allocations[{i}].amountMinor"),
            a.amount_minor,
            1,
        );
        if let (Some(id), Some(amount)) = (a.invoice_id, a.amount_minor) {
            out.push((id, amount));
        }
    }
    out
}

/// `POST /api/v1/billing/payments/`: a payment received from a client,
/// optionally allocated across invoices at once.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordPayment {
    pub client_id: Option<Uuid>,
    /// CHECK, WIRE, ACH, CARD, CASH, OTHER (TRUST payments come from the trust ledger).
    pub method: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub reference: Option<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub allocations: Vec<AllocationInput>,
}

#[derive(Debug, Clone)]
pub struct ValidPayment {
    pub client_id: Uuid,
    pub method: String,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: Option<String>,
    pub notes: Option<String>,
    pub allocations: Vec<(Uuid, i64)>,
}

impl RecordPayment {
    pub fn validate(self) -> Result<ValidPayment, ApiError> {
        let mut errors = FieldErrors::new();
        if self.client_id.is_none() {
            errors.missing("clientId");
        }
        let methods: Vec<&str> = METHODS.iter().copied().filter(|m| *m != "TRUST").collect();
        match self.method.as_deref() {
            None | Some("") => errors.missing("method"),
            Some(m) => errors.one_of("method", m, &methods),
        }
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        currency(&mut errors, "currency", self.currency.as_deref());
        date(&mut errors, "receivedOn", self.received_on);
        optional_text(
            &mut errors,
            "reference",
            self.reference.as_deref(),
            REFERENCE_MAX,
        );
        optional_text(&mut errors, "notes", self.notes.as_deref(), 2000);
        let allocations = allocations(&mut errors, &self.allocations);
        if let Some(total) = self.amount_minor
            && allocations.iter().map(|(_, a)| *a).sum::<i64>() > total
        {
            errors.add(
                "allocations",
                ErrorCode::InvalidFieldFormat,
                "allocate more than the payment's amount",
            );
        }
        errors.into_result()?;
        Ok(ValidPayment {
            client_id: self.client_id.unwrap_or_default(),
            method: self.method.unwrap_or_default(),
            amount_minor: self.amount_minor.unwrap_or(1),
            currency: self.currency.unwrap_or_default(),
            received_on: self.received_on.unwrap_or_default(),
            reference: trimmed(self.reference),
            notes: trimmed(self.notes),
            allocations,
        })
    }
}

/// `POST /api/v1/billing/payments/{id}/allocations`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Allocate {
    pub allocations: Option<Vec<AllocationInput>>,
}

impl Allocate {
    pub fn validate(self) -> Result<Vec<(Uuid, i64)>, ApiError> {
        let mut errors = FieldErrors::new();
        let list = match &self.allocations {
            None => {
                errors.missing("allocations");
                Vec::new()
            }
            Some(l) if l.is_empty() => {
                errors.add(
                    "allocations",
                    ErrorCode::RequiredFieldMissing,
                    "at least one allocation",
                );
                Vec::new()
            }
            Some(l) => allocations(&mut errors, l),
        };
        errors.into_result()?;
        Ok(list)
    }
}

/// `POST /api/v1/billing/payments/{id}/deallocations`: money taken back off an invoice.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deallocate {
    pub invoice_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
}

impl Deallocate {
    pub fn validate(&self) -> Result<(Uuid, i64), ApiError> {
        let mut errors = FieldErrors::new();
        if self.invoice_id.is_none() {
            errors.missing("invoiceId");
        }
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        errors.into_result()?;
        Ok((
            self.invoice_id.unwrap_or_default(),
            self.amount_minor.unwrap_or(1),
        ))
    }
}

/// `POST /api/v1/billing/payments/{id}/refunds`: money given back from what
/// the payment left unapplied.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Refund {
    pub amount_minor: Option<i64>,
    /// Default today.
    pub refunded_on: Option<NaiveDate>,
    pub reference: Option<String>,
    pub notes: Option<String>,
}

impl Refund {
    pub fn validate(&self) -> Result<i64, ApiError> {
        let mut errors = FieldErrors::new();
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        optional_text(
            &mut errors,
            "reference",
            self.reference.as_deref(),
            REFERENCE_MAX,
        );
        optional_text(&mut errors, "notes", self.notes.as_deref(), 2000);
        errors.into_result()?;
        Ok(self.amount_minor.unwrap_or(1))
    }
}
