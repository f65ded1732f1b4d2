//! Activity codes, rates, time entries, timers and expenses.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::lifecycle::Status;
use crate::schema::{activity_codes, billing_rates, expenses, time_entries, timers};

/// Built-in activity codes; a firm adds its own (`/activity-codes`).
pub const BUILTIN_ACTIVITY_CODES: [(&str, &str); 10] = [
    ("RESEARCH", "Legal research"),
    ("DRAFTING", "Drafting documents"),
    ("COURT_APPEARANCE", "Court appearance"),
    ("CONSULTATION", "Client consultation"),
    ("CORRESPONDENCE", "Correspondence"),
    ("REVIEW", "Document review"),
    ("MEETING", "Meeting"),
    ("TRAVEL", "Travel"),
    ("NEGOTIATION", "Negotiation"),
    ("OTHER", "Other work"),
];

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = activity_codes, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct ActivityCode {
    #[serde(skip)]
    pub firm_id: Uuid,
    pub code: String,
    pub description: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub archived_at: Option<DateTime<Utc>>,
}

/// A billing rate (minor units per hour) in force from `effectiveFrom`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = billing_rates, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Rate {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    /// Only on this matter (null: every matter).
    pub matter_id: Option<Uuid>,
    /// Only for this activity (null: every activity).
    pub activity_code: Option<String>,
    /// Minor units per hour.
    pub rate_minor: i64,
    pub currency: String,
    pub effective_from: NaiveDate,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A time entry (Backstage §5.1.6; `caseId` is `matterId`). `billingRate` and
/// `totalAmount` are minor units of `currency` (per hour, and in all).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = time_entries, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct TimeEntry {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub matter_id: Uuid,
    /// `LAWYER`, or `PARTNER` for a partner attorney's entry.
    pub kind: String,
    pub activity_code: String,
    pub description: String,
    pub duration_minutes: i32,
    pub is_billable: bool,
    #[serde(rename = "billingRate")]
    pub billing_rate_minor: i64,
    pub currency: String,
    pub rate_id: Option<Uuid>,
    #[serde(rename = "totalAmount")]
    pub total_amount_minor: i64,
    pub status: String,
    pub work_date: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rejected_by: Option<Uuid>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub timer_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl TimeEntry {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn etag(&self) -> String {
        super::etag(self.id, self.updated_at)
    }
}

/// A timer: RUNNING, PAUSED or STOPPED (then `timeEntryId` is the DRAFT entry it wrote).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = timers, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Timer {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub matter_id: Uuid,
    pub activity_code: String,
    pub description: String,
    pub is_billable: bool,
    pub state: String,
    /// Seconds counted before the current run.
    pub accumulated_seconds: i64,
    /// When the current run began (RUNNING only).
    pub running_since: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub time_entry_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Timer {
    /// Seconds counted up to `now`.
    pub fn elapsed_seconds(&self, now: DateTime<Utc>) -> i64 {
        let running = self
            .running_since
            .map_or(0, |since| (now - since).num_seconds().max(0));
        self.accumulated_seconds + running
    }
}

/// An expense (minor units of `currency`); the receipt is a document id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = expenses, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Expense {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub matter_id: Uuid,
    pub category: String,
    pub description: String,
    pub amount_minor: i64,
    pub currency: String,
    pub incurred_on: NaiveDate,
    pub receipt_document_id: Option<Uuid>,
    pub is_billable: bool,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rejected_by: Option<Uuid>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Expense {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn etag(&self) -> String {
        super::etag(self.id, self.updated_at)
    }
}
