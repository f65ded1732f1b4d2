//! Rows of the contacts schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{client_contacts, client_pii, clients, contacts, duplicate_candidates};

pub const CONTACT_KINDS: [&str; 2] = ["PERSON", "ORGANIZATION"];
pub const CLIENT_TYPES: [&str; 4] = ["INDIVIDUAL", "CORPORATION", "GOVERNMENT", "NON_PROFIT"];
pub const CLIENT_STATUSES: [&str; 3] = ["ACTIVE", "INACTIVE", "PROSPECTIVE"];
pub const RELATIONSHIPS: [&str; 3] = ["PRIMARY", "BILLING", "OTHER"];

/// A strong validator for `ETag` / `If-Match`.
pub fn etag(id: Uuid, updated_at: DateTime<Utc>) -> String {
    format!("\"{}-{}\"", id.simple(), updated_at.timestamp_micros())
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize)]
#[diesel(table_name = contacts, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: Uuid,
    pub kind: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub organization_name: Option<String>,
    pub display_name: String,
    pub emails: serde_json::Value,
    pub phones: serde_json::Value,
    pub addresses: serde_json::Value,
    pub notes: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    pub fn etag(&self) -> String {
        etag(self.id, self.updated_at)
    }
}

/// Every data column of a contact, as written by create, `PUT` and `PATCH`.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactFields {
    pub kind: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub organization_name: Option<String>,
    pub display_name: String,
    pub emails: serde_json::Value,
    pub phones: serde_json::Value,
    pub addresses: serde_json::Value,
    pub notes: Option<String>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = contacts)]
pub struct NewContact {
    pub id: Uuid,
    pub created_by: Option<Uuid>,
    #[diesel(embed)]
    pub fields: ContactFields,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
pub struct Client {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub client_type: String,
    pub full_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<serde_json::Value>,
    pub status: String,
    pub contact_id: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Client {
    pub fn etag(&self) -> String {
        etag(self.id, self.updated_at)
    }
}

/// Every data column of a client, as written by create and `PATCH`.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientFields {
    pub client_type: String,
    pub full_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<serde_json::Value>,
    pub status: String,
    pub contact_id: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = clients)]
pub struct NewClient {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub created_by: Option<Uuid>,
    #[diesel(embed)]
    pub fields: ClientFields,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = client_contacts, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct ClientContact {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub client_id: Uuid,
    pub contact_id: Uuid,
    pub relationship: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// One sealed PII field of a client.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = client_pii, check_for_backend(diesel::pg::Pg))]
pub struct ClientPii {
    pub firm_id: Uuid,
    pub client_id: Uuid,
    pub field: String,
    pub ciphertext: Vec<u8>,
    pub key_id: String,
    pub updated_at: DateTime<Utc>,
}

/// A pair of contacts that may be the same (lower id first).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = duplicate_candidates, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub contact_id: Uuid,
    pub other_contact_id: Uuid,
    pub score: f64,
    /// `SAME_EMAIL`, `SAME_PHONE`, `SIMILAR_NAME`.
    pub reasons: serde_json::Value,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
