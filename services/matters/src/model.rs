//! Rows of the matters schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use lawos_core::timestamp;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{matter_members, matters};
use crate::stage::Stage;

pub const MATTER_TYPES: [&str; 6] = [
    "CIVIL",
    "CRIMINAL",
    "FAMILY",
    "CORPORATE",
    "IMMIGRATION",
    "OTHER",
];
pub const MEMBER_ROLES: [&str; 4] = ["LEAD_ATTORNEY", "ASSOCIATE", "PARALEGAL", "STAFF"];
pub const LEAD_ATTORNEY: &str = "LEAD_ATTORNEY";

/// A matter (the Backstage case; `caseNumber` is `matterNumber`, `status` is `stage`).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = matters, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Matter {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub description: Option<String>,
    pub matter_type: String,
    pub practice_area: Option<String>,
    pub stage: String,
    pub client_id: Option<Uuid>,
    #[serde(serialize_with = "timestamp::serialize_option")]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize_option")]
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Matter {
    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }

    /// The stored stage (the table's CHECK keeps it one of the five).
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Open)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = matters)]
pub struct NewMatter {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub description: Option<String>,
    pub matter_type: String,
    pub practice_area: Option<String>,
    pub stage: String,
    pub client_id: Option<Uuid>,
    pub opened_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
}

/// The data fields of a matter (PATCH: `None` leaves a field alone,
/// `Some(None)` clears it).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = matters)]
pub struct MatterChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub matter_type: Option<String>,
    pub practice_area: Option<Option<String>>,
    pub client_id: Option<Option<Uuid>>,
}

/// A stage move's columns.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = matters)]
pub struct StageChanges {
    pub stage: String,
    pub opened_at: Option<Option<DateTime<Utc>>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
}

impl StageChanges {
    /// The timestamps a move to `to` sets or clears at `now`.
    pub fn to(from: &Matter, to: Stage, now: DateTime<Utc>) -> Self {
        let opened = (to == Stage::Open && from.opened_at.is_none()).then_some(Some(now));
        let closed = match to {
            Stage::Closed if from.stage() != Stage::Archived => Some(Some(now)),
            Stage::InProgress | Stage::Open => Some(None),
            _ => None,
        };
        Self {
            stage: to.as_str().to_owned(),
            opened_at: opened,
            closed_at: closed,
        }
    }
}

/// A member of a matter's team.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = matter_members, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub added_by: Option<Uuid>,
    #[serde(skip)]
    pub removed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub removed_at: Option<DateTime<Utc>>,
}

impl Member {
    /// Active at `now`: not removed, started, not ended.
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.removed_at.is_none()
            && self.starts_at <= now
            && self.ends_at.is_none_or(|end| end > now)
    }
}

/// A note on a matter (soft-deleted with `deleted_at`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = crate::schema::matter_notes, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub body: String,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

pub const PARTY_ROLES: [&str; 5] = [
    "CLIENT",
    "OPPOSING_PARTY",
    "OPPOSING_COUNSEL",
    "WITNESS",
    "OTHER",
];

/// A party to a matter: a contact (contacts-service id) in a role.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = crate::schema::matter_contacts, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub contact_id: Uuid,
    pub role: String,
    pub notes: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A budget of a matter: integer minor units and an ISO 4217 currency.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = crate::schema::matter_budgets, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub period_start: Option<chrono::NaiveDate>,
    pub period_end: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}
