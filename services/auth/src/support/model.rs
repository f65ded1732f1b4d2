//! A support session row and how the API shows it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::support_sessions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = support_sessions, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct SupportSession {
    pub id: Uuid,
    pub admin_user_id: Uuid,
    pub target_user_id: Uuid,
    pub firm_id: Uuid,
    pub reason: String,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
}

impl SupportSession {
    /// `ACTIVE`, `EXPIRED` or `REVOKED` at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.revoked_at.is_some() {
            "REVOKED"
        } else if self.expires_at <= now {
            "EXPIRED"
        } else {
            "ACTIVE"
        }
    }
}

/// The API view: the row and its status.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    #[serde(flatten)]
    pub session: SupportSession,
    pub status: &'static str,
}

impl From<SupportSession> for SessionView {
    fn from(session: SupportSession) -> Self {
        let status = session.status(Utc::now());
        Self { session, status }
    }
}
