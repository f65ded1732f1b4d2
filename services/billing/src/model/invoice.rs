//! Invoices, their line items and credit notes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{credit_notes, invoice_balances, invoice_line_items, invoices};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invoices, check_for_backend(diesel::pg::Pg))]
pub struct Invoice {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub client_id: Uuid,
    pub invoice_number: Option<String>,
    /// The stored lifecycle: DRAFT, ISSUED or VOID.
    pub status: String,
    pub currency: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub notes: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<Uuid>,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by: Option<Uuid>,
    pub void_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Invoice {
    pub fn etag(&self) -> String {
        super::etag(self.id, self.updated_at)
    }
}

/// What the invoice amounts to, derived from its rows (view `invoice_balances`).
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = invoice_balances, check_for_backend(diesel::pg::Pg))]
pub struct Balance {
    pub total_minor: i64,
    pub credited_minor: i64,
    pub paid_minor: i64,
    pub balance_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = invoice_line_items, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub id: Uuid,
    #[serde(skip)]
    pub firm_id: Uuid,
    #[serde(skip)]
    pub invoice_id: Uuid,
    /// TIME, EXPENSE or ADJUSTMENT.
    pub kind: String,
    pub time_entry_id: Option<Uuid>,
    pub expense_id: Option<Uuid>,
    pub position: i32,
    pub service_date: Option<NaiveDate>,
    pub user_id: Option<Uuid>,
    pub activity_code: Option<String>,
    pub description: String,
    pub quantity_minutes: Option<i32>,
    pub rate_minor: Option<i64>,
    pub amount_minor: i64,
    pub created_at: DateTime<Utc>,
}

/// An invoice as the API answers it: its data, the amounts derived from its
/// rows and the status that follows (DRAFT, ISSUED, PARTIALLY_PAID, PAID, VOID).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceView {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub client_id: Uuid,
    pub invoice_number: Option<String>,
    pub status: String,
    pub currency: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub notes: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<Uuid>,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by: Option<Uuid>,
    pub void_reason: Option<String>,
    pub total_minor: i64,
    pub credited_minor: i64,
    pub paid_minor: i64,
    pub balance_minor: i64,
    /// The line items (in the single-invoice answers; empty in lists).
    pub line_items: Vec<LineItem>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InvoiceView {
    pub fn new(i: Invoice, status: String, b: Balance, line_items: Vec<LineItem>) -> Self {
        Self {
            id: i.id,
            firm_id: i.firm_id,
            matter_id: i.matter_id,
            client_id: i.client_id,
            invoice_number: i.invoice_number,
            status,
            currency: i.currency,
            period_start: i.period_start,
            period_end: i.period_end,
            notes: i.notes,
            issue_date: i.issue_date,
            due_date: i.due_date,
            issued_at: i.issued_at,
            issued_by: i.issued_by,
            voided_at: i.voided_at,
            voided_by: i.voided_by,
            void_reason: i.void_reason,
            total_minor: b.total_minor,
            credited_minor: b.credited_minor,
            paid_minor: b.paid_minor,
            balance_minor: b.balance_minor,
            line_items,
            created_by: i.created_by,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = credit_notes, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct CreditNote {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub invoice_id: Uuid,
    pub credit_note_number: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub issued_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Where an issued invoice's PDF is kept, and its SHA-256.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::invoice_pdfs, check_for_backend(diesel::pg::Pg))]
pub struct InvoicePdf {
    pub invoice_id: Uuid,
    pub firm_id: Uuid,
    pub object_key: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
}
