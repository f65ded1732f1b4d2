//! Rows of the tenants schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::schema::{firm_domains, firms};

pub const BILLING_PLANS: [&str; 3] = ["starter", "professional", "enterprise"];
pub const FEATURES: [&str; 4] = [
    "timeTracking",
    "documentManagement",
    "clientPortal",
    "advancedReporting",
];

#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = firms, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Firm {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub logto_org_id: Option<String>,
    pub contact_email: String,
    pub billing_plan: String,
    pub features: serde_json::Value,
    pub settings: serde_json::Value,
    pub create_logto_org: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Firm {
    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = firms)]
pub struct NewFirm {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub logto_org_id: Option<String>,
    pub contact_email: String,
    pub billing_plan: String,
    pub features: serde_json::Value,
    pub settings: serde_json::Value,
    pub create_logto_org: bool,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = firms)]
pub struct FirmChanges {
    pub name: Option<String>,
    pub contact_email: Option<String>,
    pub billing_plan: Option<String>,
    pub features: Option<serde_json::Value>,
    pub settings: Option<serde_json::Value>,
    pub logto_org_id: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = firm_domains, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct FirmDomain {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub domain: String,
    pub verified: bool,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}
