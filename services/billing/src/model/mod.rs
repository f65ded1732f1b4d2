//! Rows of the billing schema and their API representations (camelCase; money
//! in integer minor units with its ISO currency).

pub mod invoice;
pub mod payment;
pub mod time;
pub mod trust;

pub use invoice::{CreditNote, Invoice, InvoiceView, LineItem};
pub use payment::{Allocation, Payment, PaymentEvent, PaymentView};
pub use time::{ActivityCode, Expense, Rate, TimeEntry, Timer};
pub use trust::{Reconciliation, TrustAccount, TrustBalance, TrustEntry};

/// A strong validator for `ETag` / `If-Match` from a row's id and last change.
pub fn etag(id: uuid::Uuid, updated_at: chrono::DateTime<chrono::Utc>) -> String {
    format!("\"{}-{}\"", id.simple(), updated_at.timestamp_micros())
}
