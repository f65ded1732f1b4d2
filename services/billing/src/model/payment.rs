//! Payments, allocations and payment events: append-only rows.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{payment_allocations, payment_events, payments};

pub const METHODS: [&str; 7] = ["CHECK", "WIRE", "ACH", "CARD", "CASH", "TRUST", "OTHER"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = payments, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub client_id: Uuid,
    /// PAYMENT, or REFUND / REVERSAL of `originalPaymentId`.
    pub kind: String,
    pub original_payment_id: Option<Uuid>,
    pub method: String,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = payment_allocations, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    pub id: Uuid,
    #[serde(skip)]
    pub firm_id: Uuid,
    pub payment_id: Uuid,
    pub invoice_id: Uuid,
    /// ALLOCATION, or DEALLOCATION (money taken back off the invoice).
    pub kind: String,
    pub amount_minor: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = payment_events, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    pub id: Uuid,
    #[serde(skip)]
    pub firm_id: Uuid,
    pub payment_id: Uuid,
    /// RECORDED, ALLOCATED, DEALLOCATED, REFUNDED or REVERSED.
    pub event_type: String,
    pub invoice_id: Option<Uuid>,
    pub amount_minor: i64,
    pub data: serde_json::Value,
    pub actor_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A payment with what it left unapplied (derived), its allocations and history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    #[serde(flatten)]
    pub payment: Payment,
    /// Allocated less deallocated (PAYMENT rows; 0 for refunds and reversals).
    pub allocated_minor: i64,
    /// Refunded or reversed.
    pub returned_minor: i64,
    pub unapplied_minor: i64,
    pub reversed: bool,
    pub allocations: Vec<Allocation>,
    pub events: Vec<PaymentEvent>,
}
