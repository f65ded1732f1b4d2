//! Rows of the MyCase sync tables and their API representations (camelCase;
//! secrets are never part of one).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::config::MyCaseConfig;
use super::schema::{external_refs, mycase_connections, mycase_credentials, mycase_runs};

pub const PROVIDER: &str = "mycase";
pub const CLIENT_CREDENTIALS: &str = "CLIENT_CREDENTIALS";
pub const REFRESH_TOKEN: &str = "REFRESH_TOKEN";
pub const GRANT_TYPES: [&str; 2] = [CLIENT_CREDENTIALS, REFRESH_TOKEN];

pub const RUNNING: &str = "RUNNING";
pub const SUCCEEDED: &str = "SUCCEEDED";
pub const PARTIAL: &str = "PARTIAL";
pub const FAILED: &str = "FAILED";
pub const RUN_STATUSES: [&str; 4] = [RUNNING, SUCCEEDED, PARTIAL, FAILED];

pub const SCHEDULE: &str = "SCHEDULE";
pub const MANUAL: &str = "MANUAL";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mycase_connections, check_for_backend(diesel::pg::Pg))]
pub struct Connection {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub base_url: Option<String>,
    pub token_url: Option<String>,
    pub grant_type: String,
    pub client_id: String,
    pub interval_minutes: i32,
    pub enabled: bool,
    pub resync_from: DateTime<Utc>,
    /// Set by `DELETE`: the connection no longer syncs (its runs stay).
    pub disconnected_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Connection {
    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }

    pub fn api_url(&self, config: &MyCaseConfig) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| config.api_url.clone())
    }

    pub fn token_endpoint(&self, config: &MyCaseConfig) -> String {
        self.token_url
            .clone()
            .unwrap_or_else(|| config.token_url.clone())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mycase_credentials, check_for_backend(diesel::pg::Pg))]
pub struct Credentials {
    pub connection_id: Uuid,
    pub firm_id: Uuid,
    pub ciphertext: Vec<u8>,
    pub key_id: String,
    pub has_client_secret: bool,
    pub has_refresh_token: bool,
    pub updated_at: DateTime<Utc>,
}

/// How far each kind of record has been pulled: the latest `updated_at`
/// MyCase answered for it in the last successful run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub cases: Option<DateTime<Utc>>,
    pub clients: Option<DateTime<Utc>>,
    pub staff: Option<DateTime<Utc>>,
}

impl Cursor {
    pub fn from_json(value: &Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    pub fn to_json(self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `GET/PUT /api/v1/matters/integrations/mycase/`: the firm's connection.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: Uuid,
    pub provider: String,
    /// MyCase's REST API the sync reads (the configured default when the
    /// connection names none).
    pub base_url: String,
    pub token_url: String,
    /// `CLIENT_CREDENTIALS` or `REFRESH_TOKEN`.
    pub grant_type: String,
    pub client_id: String,
    /// Whether a client secret is kept (sealed; never answered).
    pub has_client_secret: bool,
    /// Whether a refresh token is kept (sealed; never answered).
    pub has_refresh_token: bool,
    pub interval_minutes: i32,
    pub enabled: bool,
    /// Where the next run starts: the last successful run's cursor.
    pub cursor: Cursor,
    pub last_success_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConnectionView {
    pub fn new(
        c: &Connection,
        creds: &Credentials,
        last_success: Option<&Run>,
        config: &MyCaseConfig,
    ) -> Self {
        Self {
            id: c.id,
            provider: PROVIDER.to_owned(),
            base_url: c.api_url(config),
            token_url: c.token_endpoint(config),
            grant_type: c.grant_type.clone(),
            client_id: c.client_id.clone(),
            has_client_secret: creds.has_client_secret,
            has_refresh_token: creds.has_refresh_token,
            interval_minutes: c.interval_minutes,
            enabled: c.enabled,
            cursor: last_success
                .and_then(|r| r.cursor_after.as_ref())
                .map(Cursor::from_json)
                .unwrap_or_default(),
            last_success_at: last_success.and_then(|r| r.finished_at),
            created_by: c.created_by,
            updated_by: c.updated_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mycase_runs, check_for_backend(diesel::pg::Pg))]
pub struct Run {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub connection_id: Uuid,
    pub origin: String,
    pub requested_by: Option<Uuid>,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cursor_before: Value,
    pub cursor_after: Option<Value>,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub conflicts: i32,
    pub failed: i32,
    pub conflict_details: Value,
    pub errors: Value,
}

/// A field changed on both sides since the last sync (the LawOS value was
/// kept), or a MyCase change LawOS could not take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// `CASE` or `CLIENT`.
    pub kind: String,
    /// The MyCase id.
    pub external_id: String,
    /// The matter or client.
    pub entity_id: Option<Uuid>,
    pub field: String,
    /// `BOTH_CHANGED`, `MATTER_CLOSED`, `STAGE_NOT_ALLOWED` or `DELETED_IN_LAWOS`.
    pub reason: String,
    pub lawos_value: Value,
    pub mycase_value: Value,
}

/// Why a record (or the whole run) was not synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    /// `CASE`, `CLIENT`, `STAFF`, or null for the run as a whole.
    pub kind: Option<String>,
    pub external_id: Option<String>,
    pub message: String,
}

/// One run of the sync (`/api/v1/matters/integrations/mycase/runs`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    pub id: Uuid,
    pub provider: String,
    /// `SCHEDULE` or `MANUAL`.
    pub origin: String,
    pub requested_by: Option<Uuid>,
    /// `RUNNING`, `SUCCEEDED`, `PARTIAL` (some records failed: the cursor
    /// stays, they are tried again) or `FAILED`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cursor_before: Cursor,
    pub cursor_after: Option<Cursor>,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub conflicts: i32,
    pub failed: i32,
    pub conflict_details: Vec<Conflict>,
    pub errors: Vec<RunError>,
}

impl From<&Run> for RunView {
    fn from(r: &Run) -> Self {
        Self {
            id: r.id,
            provider: PROVIDER.to_owned(),
            origin: r.origin.clone(),
            requested_by: r.requested_by,
            status: r.status.clone(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            cursor_before: Cursor::from_json(&r.cursor_before),
            cursor_after: r.cursor_after.as_ref().map(Cursor::from_json),
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            conflicts: r.conflicts,
            failed: r.failed,
            conflict_details: serde_json::from_value(r.conflict_details.clone())
                .unwrap_or_default(),
            errors: serde_json::from_value(r.errors.clone()).unwrap_or_default(),
        }
    }
}

pub const CASE: &str = "CASE";
pub const CLIENT: &str = "CLIENT";
pub const STAFF: &str = "STAFF";

/// A MyCase record mapped onto a LawOS entity, with both sides' values at
/// the last sync.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = external_refs, check_for_backend(diesel::pg::Pg))]
pub struct ExternalRef {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub provider: String,
    pub kind: String,
    pub external_id: String,
    pub external_number: Option<String>,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub remote_values: Value,
    pub local_values: Value,
    pub remote_updated_at: Option<DateTime<Utc>>,
    pub last_run_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
