//! Rows of the messages schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{message_edits, messages, sms_numbers};

pub const MATTER: &str = "MATTER";
pub const CONTACT: &str = "CONTACT";
pub const INTERNAL: &str = "INTERNAL";
pub const CONTEXT_TYPES: [&str; 3] = [MATTER, CONTACT, INTERNAL];

pub const SMS: &str = "SMS";
pub const EMAIL: &str = "EMAIL";
pub const PORTAL: &str = "PORTAL";

pub const INBOUND: &str = "INBOUND";
pub const OUTBOUND: &str = "OUTBOUND";

pub const QUEUED: &str = "QUEUED";
pub const SENT: &str = "SENT";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

/// Where a delivery state stands: a receipt never moves a message back.
pub fn status_rank(status: &str) -> u8 {
    match status {
        QUEUED => 0,
        SENT => 1,
        _ => 2,
    }
}

/// A message.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    /// The channel's context when the message was written: `MATTER`, `CONTACT` or `INTERNAL`.
    pub context_type: String,
    /// The matter or contact (none for `INTERNAL`).
    pub context_id: Option<Uuid>,
    /// The channel's kind when the message was written: `INTERNAL`, `SMS`, `EMAIL`, `PORTAL`.
    pub channel_kind: String,
    /// `INBOUND` (from a contact), `OUTBOUND` (to contacts), `INTERNAL` (among the firm).
    pub direction: String,
    /// Markdown source.
    pub body: String,
    pub sender_user_id: Option<Uuid>,
    pub sender_contact_id: Option<Uuid>,
    /// SMS: the firm's number (E.164).
    pub firm_number: Option<String>,
    /// SMS: the contact's number (E.164): the sender of an inbound message, the recipient of an outbound one.
    pub peer_phone: Option<String>,
    /// Document ids.
    pub attachments: Vec<Uuid>,
    /// `QUEUED` → `SENT` → `DELIVERED` | `FAILED` (in-app messages are `DELIVERED` when stored).
    pub delivery_status: String,
    pub provider_message_id: Option<String>,
    pub delivery_error: Option<String>,
    pub status_changed_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub deleted_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Message {
    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

/// A previous body of an edited message.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = message_edits, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct MessageEdit {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub message_id: Uuid,
    pub previous_body: String,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
}

/// A message with its edit history (`GET /api/v1/messages/{id}`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageWithEdits {
    #[serde(flatten)]
    pub message: Message,
    /// Previous bodies, newest first.
    pub edits: Vec<MessageEdit>,
}

/// A search hit: the message, its rank and a highlighted snippet.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    #[serde(flatten)]
    pub message: Message,
    /// `ts_rank_cd` of the body against the query (higher is better).
    pub rank: f32,
    /// The best fragments of the body, matches between `<mark>` and `</mark>`.
    pub snippet: String,
}

/// A number of the firm that sends and receives SMS.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, JsonSchema)]
#[diesel(table_name = sms_numbers, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct SmsNumber {
    pub id: Uuid,
    pub firm_id: Uuid,
    /// E.164.
    pub number: String,
    pub label: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub deleted_by: Option<Uuid>,
}

/// The firm's numbers in use, oldest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NumberList {
    pub data: Vec<SmsNumber>,
}
