//! Real time: every open WebSocket of a user, on every instance. A change
//! (a new or gathered notification, an unread count, a deactivation) is
//! published once on the Redis channel `{prefix}:notifications:live`; every
//! instance subscribes to it and hands each message to the sessions it holds
//! for that user ([`hub::Hub`]). Redis pub/sub is at most once: a client that
//! reconnects receives its unread count first and reads the list again.

pub mod hub;
pub mod pubsub;
pub mod session;
pub mod ticket;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::NotificationView;

/// One message on the live channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LiveMessage {
    /// A notification was created (`notification.created`) or a burst grew
    /// (`notification.updated`).
    #[serde(rename_all = "camelCase")]
    Notification {
        firm_id: Uuid,
        user_id: Uuid,
        event: String,
        notification: serde_json::Value,
        unread_count: i64,
    },
    #[serde(rename_all = "camelCase")]
    Unread {
        firm_id: Uuid,
        user_id: Uuid,
        unread_count: i64,
    },
    /// The user's sessions end (in one firm, or everywhere when `firm_id` is null).
    #[serde(rename_all = "camelCase")]
    Close {
        firm_id: Option<Uuid>,
        user_id: Uuid,
        reason: String,
    },
}

impl LiveMessage {
    pub fn notification(
        event: &str,
        view: &NotificationView,
        unread_count: i64,
        firm_id: Uuid,
        user_id: Uuid,
    ) -> Self {
        Self::Notification {
            firm_id,
            user_id,
            event: event.to_owned(),
            notification: serde_json::to_value(view).unwrap_or_default(),
            unread_count,
        }
    }
}

/// The reason a session is closed when its user is deactivated.
pub const USER_DEACTIVATED: &str = "USER_DEACTIVATED";
/// The reason a session is closed when its token expires.
pub const TOKEN_EXPIRED: &str = "AUTH_TOKEN_EXPIRED";
