//! Rows of the auth schema and the API representation of the caller's profile.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{
    firm_user_profiles, lawyer_credentials, local_credentials, refresh_tokens, service_accounts,
    sessions, signing_keys, users,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys, check_for_backend(diesel::pg::Pg))]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    pub public_jwk: serde_json::Value,
    pub private_key: Vec<u8>,
    pub master_key_id: String,
    pub created_at: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub retire_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub full_name: String,
    pub platform_role: Option<String>,
    pub is_active: bool,
    pub synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl User {
    /// Whether the user may sign in.
    pub fn can_sign_in(&self) -> bool {
        self.is_active && self.deleted_at.is_none()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = local_credentials)]
pub struct NewCredential {
    pub user_id: Uuid,
    pub password_hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = firm_user_profiles, check_for_backend(diesel::pg::Pg))]
pub struct Profile {
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub is_lawyer: bool,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub preferences: serde_json::Value,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = firm_user_profiles)]
pub struct ProfileChanges {
    pub title: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub preferences: Option<serde_json::Value>,
    pub is_lawyer: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A lawyer's professional credential (bar licence, …) in one firm.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = lawyer_credentials, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct LawyerCredential {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub user_id: Uuid,
    #[serde(rename = "type")]
    pub credential_type: String,
    pub jurisdiction: String,
    #[serde(rename = "licenseNumber")]
    pub number: String,
    #[serde(rename = "issuedDate")]
    pub issued_on: Option<NaiveDate>,
    #[serde(rename = "expiresAt")]
    pub expires_on: Option<NaiveDate>,
    #[serde(skip)]
    pub expiry_notified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_accounts, check_for_backend(diesel::pg::Pg))]
pub struct ServiceAccount {
    pub id: Uuid,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub scopes: Vec<String>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub firm_id: Option<Uuid>,
    pub client_id: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct RefreshToken {
    pub id: Uuid,
    pub session_id: Uuid,
    pub token_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/auth/me`: the caller's identity and, when the token names a
/// firm, their profile in it (Backstage §5.1.2 plus the profile fields).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub is_active: bool,
    pub firm_id: Option<Uuid>,
    pub role: Option<String>,
    pub platform_role: Option<String>,
    pub is_lawyer: bool,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub preferences: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    etag: String,
}

impl Me {
    pub fn new(user: User, profile: Option<Profile>) -> Self {
        let updated_at = profile
            .as_ref()
            .map_or(user.updated_at, |p| p.updated_at.max(user.updated_at));
        let etag = format!(
            "\"{}-{}-{}\"",
            user.id.simple(),
            user.updated_at.timestamp_micros(),
            profile
                .as_ref()
                .map_or(0, |p| p.updated_at.timestamp_micros())
        );
        Self {
            id: user.id,
            email: user.email,
            full_name: user.full_name,
            is_active: user.is_active,
            firm_id: profile.as_ref().map(|p| p.firm_id),
            role: profile
                .as_ref()
                .map(|p| p.role.clone())
                .or_else(|| user.platform_role.clone()),
            platform_role: user.platform_role,
            is_lawyer: profile.as_ref().is_some_and(|p| p.is_lawyer),
            title: profile.as_ref().and_then(|p| p.title.clone()),
            phone: profile.as_ref().and_then(|p| p.phone.clone()),
            preferences: profile
                .map(|p| p.preferences)
                .unwrap_or_else(|| serde_json::json!({})),
            created_at: user.created_at,
            updated_at,
            etag,
        }
    }

    /// A strong validator for `ETag` / `If-Match`: changes with either row.
    pub fn etag(&self) -> &str {
        &self.etag
    }
}
