//! Trust (IOLTA) accounts, ledger entries, kept balances and reconciliations.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{trust_accounts, trust_balances, trust_ledger_entries, trust_reconciliations};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = trust_accounts, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct TrustAccount {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub name: String,
    pub bank_name: Option<String>,
    pub account_last4: Option<String>,
    pub currency: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub archived_at: Option<DateTime<Utc>>,
}

/// One ledger row: positive in (DEPOSIT), negative out (DISBURSEMENT, INVOICE_PAYMENT).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = trust_ledger_entries, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct TrustEntry {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub account_id: Uuid,
    pub client_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub entry_date: NaiveDate,
    pub description: String,
    pub reference: Option<String>,
    pub payee: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A client's balance in one account, for one matter (`matterId` null: held
/// for the client without a matter).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrustBalance {
    pub account_id: Uuid,
    pub client_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub balance_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = trust_balances, check_for_backend(diesel::pg::Pg))]
pub struct KeptBalance {
    pub account_id: Uuid,
    pub client_id: Uuid,
    pub matter_key: Uuid,
    pub balance_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = trust_reconciliations, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub account_id: Uuid,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The bank statement's balance at the period's end, as entered.
    pub bank_balance_minor: i64,
    pub deposits_in_transit_minor: i64,
    pub outstanding_checks_minor: i64,
    /// Bank balance + deposits in transit − outstanding checks.
    pub adjusted_bank_minor: i64,
    /// The account's ledger before the period.
    pub opening_ledger_minor: i64,
    pub period_deposits_minor: i64,
    /// Disbursements and invoice payments in the period (a positive number).
    pub period_withdrawals_minor: i64,
    /// The account's ledger at the period's end.
    pub ledger_balance_minor: i64,
    /// The sum of the client ledgers at the period's end.
    pub client_ledgers_minor: i64,
    /// The kept per-client balances now (when the period ends today or later).
    pub kept_balances_minor: Option<i64>,
    /// Each client's ledger at the period's end: `[{clientId, matterId, balanceMinor}]`.
    pub client_balances: serde_json::Value,
    /// Adjusted bank = ledger = client ledgers (= kept balances when given).
    pub balanced: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}
