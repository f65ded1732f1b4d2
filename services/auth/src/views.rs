//! API representations of users: a firm member (User API), a user and their
//! firm profiles (Admin API), and the caller's data export.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::model::{Profile, User};

/// `GET /api/v1/auth/members[/{userId}]`: a member of the caller's firm.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub is_lawyer: bool,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub member_since: DateTime<Utc>,
}

impl Member {
    pub fn new(user: User, profile: Profile) -> Self {
        Self {
            id: user.id,
            email: user.email,
            full_name: user.full_name,
            role: profile.role,
            is_lawyer: profile.is_lawyer,
            title: profile.title,
            phone: profile.phone,
            member_since: profile.created_at,
        }
    }
}

/// A user of the mirror, as administrators see them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
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

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            issuer: u.issuer,
            subject: u.subject,
            email: u.email,
            full_name: u.full_name,
            platform_role: u.platform_role,
            is_active: u.is_active,
            synced_at: u.synced_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            deleted_at: u.deleted_at,
        }
    }
}

/// A user's profile in one firm.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub firm_id: Uuid,
    pub role: String,
    pub is_lawyer: bool,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub preferences: serde_json::Value,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Profile> for ProfileView {
    fn from(p: Profile) -> Self {
        Self {
            firm_id: p.firm_id,
            role: p.role,
            is_lawyer: p.is_lawyer,
            title: p.title,
            phone: p.phone,
            preferences: p.preferences,
            is_active: p.is_active,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// `GET/PATCH /api/v1/auth/users/{userId}`, `…/firms/{firmId}/users`: the user
/// and the firm profiles the caller may see.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminUser {
    #[serde(flatten)]
    pub user: UserView,
    pub profiles: Vec<ProfileView>,
    #[serde(skip)]
    etag: String,
}

impl AdminUser {
    pub fn new(user: User, profiles: Vec<Profile>) -> Self {
        let profile_stamp = profiles
            .iter()
            .map(|p| p.updated_at.timestamp_micros())
            .max()
            .unwrap_or(0);
        let etag = format!(
            "\"{}-{}-{}-{}\"",
            user.id.simple(),
            user.updated_at.timestamp_micros(),
            profiles.len(),
            profile_stamp
        );
        Self {
            user: user.into(),
            profiles: profiles.into_iter().map(ProfileView::from).collect(),
            etag,
        }
    }

    /// Changes with the user row or any visible profile.
    pub fn etag(&self) -> &str {
        &self.etag
    }
}
