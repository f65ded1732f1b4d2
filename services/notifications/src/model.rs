//! Rows of the notifications schema and the shapes the API answers.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::{deliveries, notifications, user_settings};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
pub struct Notification {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub event_id: Uuid,
    pub group_key: Option<String>,
    pub count: i32,
    pub data: Value,
    pub channels: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A notification as its recipient reads it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationView {
    pub id: Uuid,
    /// The notification type (the event it comes from), e.g. `matter.stage_changed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub category: String,
    pub title: String,
    pub body: String,
    /// What it is about: `MATTER`, `TASK`, `APPOINTMENT`, `CHANNEL`, `COMMENT`,
    /// `DOCUMENT`, `PAYMENT`, `LAWYER_CREDENTIAL`, `SUPPORT_SESSION`.
    pub resource_type: String,
    pub resource_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    /// How many events it gathers (a burst of messages in one conversation).
    pub count: i32,
    /// Type-specific details (e.g. `{from, to}` of a stage change).
    pub data: Value,
    /// Where it is delivered: `IN_APP`, and `EMAIL` / `SMS` when sent there.
    pub channels: Vec<String>,
    pub read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        let category = crate::catalogue::kind_of(&n.kind)
            .map_or("OTHER", |k| k.category)
            .to_owned();
        Self {
            id: n.id,
            kind: n.kind,
            category,
            title: n.title,
            body: n.body,
            resource_type: n.resource_type,
            resource_id: n.resource_id,
            matter_id: n.matter_id,
            actor_user_id: n.actor_user_id,
            count: n.count,
            data: n.data,
            channels: n.channels,
            read: n.read_at.is_some(),
            read_at: n.read_at,
            created_at: n.created_at,
            updated_at: n.updated_at,
            expires_at: n.expires_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries, check_for_backend(diesel::pg::Pg))]
pub struct Delivery {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub notification_id: Option<Uuid>,
    pub kind: String,
    pub channel: String,
    pub digest_date: Option<NaiveDate>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const QUEUED: &str = "QUEUED";
pub const SENT: &str = "SENT";
pub const FAILED: &str = "FAILED";
pub const KIND_NOTIFICATION: &str = "NOTIFICATION";
pub const KIND_DIGEST: &str = "DIGEST";

/// A delivery as its recipient sees it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: Uuid,
    pub channel: String,
    /// `QUEUED` (retried with backoff), `SENT` or `FAILED`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            next_attempt_at: (d.status == QUEUED).then_some(d.next_attempt_at),
            id: d.id,
            channel: d.channel,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            sent_at: d.sent_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = user_settings, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct UserSettings {
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub time_zone: Option<String>,
    pub quiet_start: Option<NaiveTime>,
    pub quiet_end: Option<NaiveTime>,
    pub email_digest: String,
    pub digest_hour: i16,
    pub last_digest_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl UserSettings {
    pub fn defaults(firm_id: Uuid, user_id: Uuid) -> Self {
        Self {
            firm_id,
            user_id,
            time_zone: None,
            quiet_start: None,
            quiet_end: None,
            email_digest: "OFF".to_owned(),
            digest_hour: 8,
            last_digest_at: None,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}
