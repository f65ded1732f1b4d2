//! Rows of the rbac schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{access_grants, field_policies, matter_members, role_assignments, roles};

pub const GRANT_ACTIONS: [&str; 4] = ["READ", "WRITE", "DELETE", "DENY"];
pub const DENY: &str = "DENY";

/// A custom role of a firm.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = roles, check_for_backend(diesel::pg::Pg))]
pub struct Role {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A scope a role carries, with its reach.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeReach {
    pub scope: String,
    pub reach: String,
}

/// A role as the API shows it: built-in (`builtIn`, no id) or custom.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub id: Option<Uuid>,
    pub firm_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub built_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    pub scopes: Vec<ScopeReach>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl RoleView {
    pub fn custom(role: Role, scopes: Vec<ScopeReach>) -> Self {
        Self {
            id: Some(role.id),
            firm_id: Some(role.firm_id),
            code: role.code,
            name: role.name,
            description: role.description,
            built_in: false,
            reasoning: None,
            scopes,
            created_at: Some(role.created_at),
            updated_at: Some(role.updated_at),
        }
    }

    pub fn builtin(role: &crate::catalogue::BuiltinRole) -> Self {
        Self {
            id: None,
            firm_id: None,
            code: role.code.to_owned(),
            name: role.code.to_owned(),
            description: Some(role.description.to_owned()),
            built_in: true,
            reasoning: Some(role.reasoning.to_owned()),
            scopes: role
                .scopes()
                .map(|(scope, reach)| ScopeReach {
                    scope: scope.to_owned(),
                    reach: reach.as_str().to_owned(),
                })
                .collect(),
            created_at: None,
            updated_at: None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::role_permissions, check_for_backend(diesel::pg::Pg))]
pub struct RolePermission {
    pub firm_id: Uuid,
    pub role_id: Uuid,
    pub scope: String,
    pub reach: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = role_assignments, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    #[serde(skip)]
    pub custom_role_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub assigned_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
}

impl Assignment {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.starts_at <= now && self.ends_at.is_none_or(|e| e > now)
    }
}

/// An access grant (Backstage §4.2.3), on a resource or a sub-resource.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = access_grants, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub subresource_type: Option<String>,
    pub subresource_id: Option<Uuid>,
    pub action: String,
    pub starts_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub granted_by: Option<Uuid>,
    pub revoked_by: Option<Uuid>,
    pub reason: Option<String>,
    #[serde(rename = "grantedAt")]
    pub created_at: DateTime<Utc>,
}

impl Grant {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none()
            && self.starts_at <= now
            && self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = field_policies, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct FieldPolicy {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub resource_type: String,
    pub field: String,
    pub role: String,
    #[serde(rename = "read")]
    pub can_read: bool,
    #[serde(rename = "write")]
    pub can_write: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FieldPolicy {
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = matter_members, check_for_backend(diesel::pg::Pg))]
pub struct MatterMember {
    pub firm_id: Uuid,
    pub matter_id: Uuid,
    pub user_id: Uuid,
    pub role: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl MatterMember {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.starts_at.is_none_or(|s| s <= now) && self.ends_at.is_none_or(|e| e > now)
    }
}
