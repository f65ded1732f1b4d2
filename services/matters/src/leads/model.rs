//! Rows of the lead-intake tables and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{lead_deliveries, lead_forms, leads, meta_pages};

/// A firm's public lead form; only the hash of its key is kept.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = lead_forms, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct LeadForm {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub key_hash: Vec<u8>,
    /// The key's first characters, to tell keys apart.
    pub key_hint: String,
    pub practice_area: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A firm's Meta page (and optionally one of its lead forms), with the page
/// access token sealed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = meta_pages, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct MetaPage {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub page_id: String,
    pub form_id: Option<String>,
    pub name: Option<String>,
    pub practice_area: Option<String>,
    #[serde(skip)]
    pub token_ciphertext: Vec<u8>,
    #[serde(skip)]
    pub token_key_id: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

pub const PENDING: &str = "PENDING";
pub const DONE: &str = "DONE";
pub const FAILED: &str = "FAILED";

/// One leadgen notification received from Meta.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = lead_deliveries, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub leadgen_id: String,
    pub page_id: String,
    pub form_id: Option<String>,
    pub mapping_id: Uuid,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub matter_id: Option<Uuid>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = lead_deliveries)]
pub struct NewDelivery {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub leadgen_id: String,
    pub page_id: String,
    pub form_id: Option<String>,
    pub mapping_id: Uuid,
}

/// A lead taken in: its contact and its LEAD matter.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = leads, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub contact_id: Uuid,
    /// `WEB` (by host), `FORM` (by form key) or `META`.
    pub channel: String,
    pub form_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    #[serde(skip)]
    pub dedupe_key: String,
    pub source: Option<String>,
    pub created_at: DateTime<Utc>,
}
