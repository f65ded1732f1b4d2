//! Rows of the channels schema and their API representations (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{channel_participants, channels};

pub const CONTEXT_TYPES: [&str; 3] = ["MATTER", "CONTACT", "INTERNAL"];
pub const KINDS: [&str; 4] = ["INTERNAL", "SMS", "EMAIL", "PORTAL"];
pub const PARTICIPANT_TYPES: [&str; 2] = ["USER", "CONTACT"];
/// The title of a firm's SMS intake channel (inbound SMS from unknown numbers).
pub const SMS_INTAKE_TITLE: &str = "SMS intake";

/// What a channel is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Matter(Uuid),
    Contact(Uuid),
    Internal,
}

impl Context {
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Matter(_) => "MATTER",
            Self::Contact(_) => "CONTACT",
            Self::Internal => "INTERNAL",
        }
    }

    pub fn id(self) -> Option<Uuid> {
        match self {
            Self::Matter(id) | Self::Contact(id) => Some(id),
            Self::Internal => None,
        }
    }

    /// From the stored pair (the table's CHECK keeps them consistent).
    pub fn of(context_type: &str, context_id: Option<Uuid>) -> Self {
        match (context_type, context_id) {
            ("MATTER", Some(id)) => Self::Matter(id),
            ("CONTACT", Some(id)) => Self::Contact(id),
            _ => Self::Internal,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channels, check_for_backend(diesel::pg::Pg))]
pub struct ChannelRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub context_type: String,
    pub context_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub is_default: bool,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl ChannelRow {
    pub fn context(&self) -> Context {
        Context::of(&self.context_type, self.context_id)
    }

    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = channels)]
pub struct NewChannel {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub context_type: String,
    pub context_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub is_default: bool,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
}

impl NewChannel {
    pub fn new(firm: Uuid, context: Context, kind: &str, title: &str, by: Option<Uuid>) -> Self {
        Self {
            id: Uuid::now_v7(),
            firm_id: firm,
            context_type: context.type_name().to_owned(),
            context_id: context.id(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            is_default: false,
            created_by: by,
            updated_by: by,
        }
    }

    /// The default channel of its context and kind.
    pub fn default_of(mut self) -> Self {
        self.is_default = true;
        self
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channel_participants, check_for_backend(diesel::pg::Pg))]
pub struct ParticipantRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    pub participant_type: String,
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub phone: Option<String>,
    pub added_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Who takes part: a firm user, or a contact (with the phone SMS goes to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    User(Uuid),
    Contact { id: Uuid, phone: Option<String> },
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = channel_participants)]
pub struct NewParticipant {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub channel_id: Uuid,
    pub participant_type: String,
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub phone: Option<String>,
    pub added_by: Option<Uuid>,
}

impl NewParticipant {
    pub fn new(firm: Uuid, channel: Uuid, party: &Party, by: Option<Uuid>) -> Self {
        let (kind, user_id, contact_id, phone) = match party {
            Party::User(u) => ("USER", Some(*u), None, None),
            Party::Contact { id, phone } => ("CONTACT", None, Some(*id), phone.clone()),
        };
        Self {
            id: Uuid::now_v7(),
            firm_id: firm,
            channel_id: channel,
            participant_type: kind.to_owned(),
            user_id,
            contact_id,
            phone,
            added_by: by,
        }
    }
}

/// A participant as the API answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: Uuid,
    /// `USER` or `CONTACT`.
    #[serde(rename = "type")]
    pub participant_type: String,
    pub user_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    /// E.164, for a contact reached by SMS.
    pub phone: Option<String>,
}

impl From<&ParticipantRow> for Participant {
    fn from(p: &ParticipantRow) -> Self {
        Self {
            id: p.id,
            participant_type: p.participant_type.clone(),
            user_id: p.user_id,
            contact_id: p.contact_id,
            phone: p.phone.clone(),
        }
    }
}

/// A channel as the API answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: Uuid,
    pub firm_id: Uuid,
    /// `MATTER`, `CONTACT` or `INTERNAL`.
    pub context_type: String,
    /// The matter or contact; null for `INTERNAL`.
    pub context_id: Option<Uuid>,
    /// `INTERNAL`, `SMS`, `EMAIL` or `PORTAL`.
    pub kind: String,
    pub title: String,
    /// The channel the platform keeps for its context and kind (a matter's
    /// conversation, a contact's SMS thread, the firm's SMS intake).
    pub is_default: bool,
    pub participants: Vec<Participant>,
    pub last_activity_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A channel with what the API shows of it: participants and activity.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: ChannelRow,
    pub participants: Vec<ParticipantRow>,
    pub last_activity_at: DateTime<Utc>,
}

impl Loaded {
    /// Whether `user` takes part (an active user participant).
    pub fn has_user(&self, user: Option<Uuid>) -> bool {
        user.is_some_and(|u| self.participants.iter().any(|p| p.user_id == Some(u)))
    }

    pub fn view(&self) -> Channel {
        let r = &self.row;
        Channel {
            id: r.id,
            firm_id: r.firm_id,
            context_type: r.context_type.clone(),
            context_id: r.context_id,
            kind: r.kind.clone(),
            title: r.title.clone(),
            is_default: r.is_default,
            participants: self.participants.iter().map(Participant::from).collect(),
            last_activity_at: self.last_activity_at,
            archived_at: r.archived_at,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
