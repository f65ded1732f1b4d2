//! Rows of the bridge's tables and their API representation (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{logto_org_memberships, logto_organizations, logto_sync_log};

pub const ACTIVE: &str = "ACTIVE";
pub const INVITED: &str = "INVITED";
pub const PULL: &str = "PULL";
pub const PUSH: &str = "PUSH";
pub const SUCCEEDED: &str = "SUCCEEDED";
pub const FAILED: &str = "FAILED";

/// A firm's Logto organization.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = logto_organizations, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct LogtoOrg {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub logto_org_id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_in_logto: bool,
    pub synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A cached member of a firm's organization (or an open invitation).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = logto_org_memberships, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub id: Uuid,
    pub firm_id: Uuid,
    #[serde(skip)]
    pub organization_id: Uuid,
    pub logto_user_id: Option<String>,
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub roles: serde_json::Value,
    pub status: String,
    pub invitation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One exchange with Logto.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = logto_sync_log, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct SyncLogRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub direction: String,
    pub operation: String,
    pub status: String,
    pub logto_org_id: Option<String>,
    pub target: Option<String>,
    pub error: Option<String>,
    pub details: serde_json::Value,
    pub actor_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

impl Membership {
    /// The member's version, for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}
