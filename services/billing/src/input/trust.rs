//! The trust ledger: accounts, deposits, disbursements, invoice payments,
//! reconciliations.

use chrono::NaiveDate;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{REFERENCE_MAX, amount, currency, date, optional_text, trimmed};

/// `POST /api/v1/billing/trust/accounts`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAccount {
    pub name: Option<String>,
    pub bank_name: Option<String>,
    /// The bank account number's last four digits.
    pub account_last4: Option<String>,
    pub currency: Option<String>,
}

impl CreateAccount {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("name", self.name.as_deref(), 200);
        optional_text(&mut errors, "bankName", self.bank_name.as_deref(), 200);
        if let Some(l4) = &self.account_last4
            && !(l4.len() == 4 && l4.chars().all(|c| c.is_ascii_digit()))
        {
            errors.add(
                "accountLast4",
                ErrorCode::InvalidFieldFormat,
                "must be four digits",
            );
        }
        currency(&mut errors, "currency", self.currency.as_deref());
        errors.into_result()
    }
}

/// `POST /api/v1/billing/trust/deposits` and `/disbursements`: money in for, or
/// out on behalf of, a client (and matter).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Movement {
    pub account_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// The matter the money is held for (must be the client's); absent: held for the client.
    pub matter_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    /// Default today.
    pub entry_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub reference: Option<String>,
    /// Who is paid (disbursements only, required there).
    pub payee: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ValidMovement {
    pub account_id: Uuid,
    pub client_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub amount_minor: i64,
    pub entry_date: NaiveDate,
    pub description: String,
    pub reference: Option<String>,
    pub payee: Option<String>,
}

impl Movement {
    pub fn validate(self, disbursement: bool, today: NaiveDate) -> Result<ValidMovement, ApiError> {
        let mut errors = FieldErrors::new();
        if self.account_id.is_none() {
            errors.missing("accountId");
        }
        if self.client_id.is_none() {
            errors.missing("clientId");
        }
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        errors.text("description", self.description.as_deref(), 2000);
        optional_text(
            &mut errors,
            "reference",
            self.reference.as_deref(),
            REFERENCE_MAX,
        );
        if disbursement {
            errors.text("payee", self.payee.as_deref(), 200);
        } else if self.payee.is_some() {
            errors.add(
                "payee",
                ErrorCode::InvalidFieldFormat,
                "only disbursements have a payee",
            );
        }
        errors.into_result()?;
        Ok(ValidMovement {
            account_id: self.account_id.unwrap_or_default(),
            client_id: self.client_id.unwrap_or_default(),
            matter_id: self.matter_id,
            amount_minor: self.amount_minor.unwrap_or(1),
            entry_date: self.entry_date.unwrap_or(today),
            description: self.description.unwrap_or_default().trim().to_owned(),
            reference: trimmed(self.reference),
            payee: trimmed(self.payee),
        })
    }
}

/// `POST /api/v1/billing/trust/invoice-payments`: trust money of the invoice's
/// client (and matter) paid to an issued invoice.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayInvoice {
    pub account_id: Option<Uuid>,
    pub invoice_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    /// Default today.
    pub entry_date: Option<NaiveDate>,
    /// Take the money from the client's funds held without a matter instead of the invoice's matter.
    pub from_client_funds: Option<bool>,
}

impl PayInvoice {
    pub fn validate(&self) -> Result<(Uuid, Uuid, i64), ApiError> {
        let mut errors = FieldErrors::new();
        if self.account_id.is_none() {
            errors.missing("accountId");
        }
        if self.invoice_id.is_none() {
            errors.missing("invoiceId");
        }
        amount(&mut errors, "amountMinor", self.amount_minor, 1);
        errors.into_result()?;
        Ok((
            self.account_id.unwrap_or_default(),
            self.invoice_id.unwrap_or_default(),
            self.amount_minor.unwrap_or(1),
        ))
    }
}

/// `POST /api/v1/billing/trust/reconciliations`: the bank statement for a period.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reconcile {
    pub account_id: Option<Uuid>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// The statement's closing balance (minor units).
    pub bank_balance_minor: Option<i64>,
    pub deposits_in_transit_minor: Option<i64>,
    pub outstanding_checks_minor: Option<i64>,
}

impl Reconcile {
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        if self.account_id.is_none() {
            errors.missing("accountId");
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
        amount(
            &mut errors,
            "bankBalanceMinor",
            self.bank_balance_minor,
            -super::AMOUNT_MAX,
        );
        if self.deposits_in_transit_minor.is_some() {
            amount(
                &mut errors,
                "depositsInTransitMinor",
                self.deposits_in_transit_minor,
                0,
            );
        }
        if self.outstanding_checks_minor.is_some() {
            amount(
                &mut errors,
                "outstandingChecksMinor",
                self.outstanding_checks_minor,
                0,
            );
        }
        errors.into_result()
    }
}
