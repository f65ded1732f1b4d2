//! Business events, enqueued to `billing.outbox` in the changing transaction
//! (actor, act-as and trace context from its settings), filed under the matter
//! when one is involved (`context`). Entity events (`time_entry.*`,
//! `expense.*`, `invoice.*`, `billing_rate.*`, `trust_account.*`) come from the
//! tables' triggers.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::Value;
use uuid::Uuid;

use crate::NAME;

pub const TIME_ENTRY_SUBMITTED: &str = "time_entry.submitted";
pub const TIME_ENTRY_APPROVED: &str = "time_entry.approved";
pub const TIME_ENTRY_REJECTED: &str = "time_entry.rejected";
pub const EXPENSE_SUBMITTED: &str = "expense.submitted";
pub const EXPENSE_APPROVED: &str = "expense.approved";
pub const EXPENSE_REJECTED: &str = "expense.rejected";
pub const INVOICE_ISSUED: &str = "invoice.issued";
pub const INVOICE_VOIDED: &str = "invoice.voided";
pub const PAYMENT_RECEIVED: &str = "payment.received";
pub const CREDIT_NOTE_ISSUED: &str = "credit_note.issued";
pub const TRUST_DEPOSITED: &str = "trust.deposited";
pub const TRUST_DISBURSED: &str = "trust.disbursed";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

/// One business event about `entity`, under `matter` when given.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_type: &str,
    entity: EntityRef,
    matter: Option<Uuid>,
    data: Value,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.user_id', true), '') as user_id, \
                nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(event_type, entity)
        .firm(firm)
        .context(matter.map(|m| EntityRef::new("matter", m)))
        .user(tx.user_id.and_then(|u| u.parse().ok()))
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}
