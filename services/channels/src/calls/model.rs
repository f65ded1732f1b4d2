//! Calls: their rows and what the API answers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{call_participants, calls};

pub const CREATED: &str = "CREATED";
pub const ACTIVE: &str = "ACTIVE";
pub const ENDED: &str = "ENDED";

/// The room of call `call` in `firm`: `lawos-<firm>-<call>` (hex), so a
/// webhook (signed by LiveKit) names the firm whose rows it changes.
pub fn room_name(firm: Uuid, call: Uuid) -> String {
    format!("lawos-{}-{}", firm.simple(), call.simple())
}

/// The firm and call a room name of [`room_name`]'s form names.
pub fn parse_room(name: &str) -> Option<(Uuid, Uuid)> {
    let rest = name.strip_prefix("lawos-")?;
    let (firm, call) = rest.split_once('-')?;
    if firm.len() != 32 || call.len() != 32 {
        return None;
    }
    Some((firm.parse().ok()?, call.parse().ok()?))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calls, check_for_backend(diesel::pg::Pg))]
pub struct CallRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    pub room_name: String,
    pub room_sid: Option<String>,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = calls)]
pub struct NewCall {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    pub room_name: String,
    pub room_sid: Option<String>,
    pub status: String,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = call_participants, check_for_backend(diesel::pg::Pg))]
pub struct CallParticipantRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub call_id: Uuid,
    pub participant_sid: String,
    pub identity: String,
    pub user_id: Option<Uuid>,
    pub name: Option<String>,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

/// A LiveKit participant session as a webhook names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub sid: String,
    pub identity: String,
    pub name: Option<String>,
}

/// One participant session of a call.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallParticipant {
    pub id: Uuid,
    /// The LiveKit identity (the platform user id for users).
    pub identity: String,
    pub user_id: Option<Uuid>,
    pub name: Option<String>,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

/// A call as the API answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    /// The LiveKit room.
    pub room_name: String,
    /// `CREATED` (no one joined yet), `ACTIVE` or `ENDED`.
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
    pub participants: Vec<CallParticipant>,
}

impl Call {
    pub fn of(row: &CallRow, people: &[CallParticipantRow]) -> Self {
        Self {
            id: row.id,
            firm_id: row.firm_id,
            channel_id: row.channel_id,
            room_name: row.room_name.clone(),
            status: row.status.clone(),
            created_by: row.created_by,
            created_at: row.created_at,
            started_at: row.started_at,
            ended_at: row.ended_at,
            duration_seconds: row.duration_seconds,
            participants: people
                .iter()
                .filter(|p| p.call_id == row.id)
                .map(|p| CallParticipant {
                    id: p.id,
                    identity: p.identity.clone(),
                    user_id: p.user_id,
                    name: p.name.clone(),
                    joined_at: p.joined_at,
                    left_at: p.left_at,
                })
                .collect(),
        }
    }
}

/// What a client needs to join: the signaling URL and its token.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Join {
    /// Where the client connects (LiveKit's signaling, behind `/ws/livekit`).
    pub url: String,
    /// The LiveKit access token (a JWT).
    pub token: String,
    pub room_name: String,
    /// The caller's identity in the room (their user id).
    pub identity: String,
    pub can_publish: bool,
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/v1/channels/{id}/calls`: the new call and the caller's way in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub call: Call,
    pub join: Join,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_names_its_firm_and_call() {
        let (firm, call) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(parse_room(&room_name(firm, call)), Some((firm, call)));
        assert_eq!(parse_room("someone-elses-room"), None);
        assert_eq!(parse_room("lawos-abc-def"), None);
    }
}
