//! Rows of the `events` schema and their API representation (camelCase).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::chain;
use crate::schema::{chain_anchors, event_log};

/// The firm platform events (envelope `firmId` null) are stored under; only
/// system administrators read it.
pub const PLATFORM_FIRM: Uuid = Uuid::nil();

/// One stored event, as inserted and as read back.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_log, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub seq: i64,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_act_as: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub payload: Value,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl EventRow {
    /// The API view: the envelope's fields, where and when it was stored, and its links.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "seq": self.seq,
            "type": self.event_type,
            "firmId": (self.firm_id != PLATFORM_FIRM).then_some(self.firm_id),
            "entity": { "type": self.entity_type, "id": self.entity_id },
            "actor": { "userId": self.actor_user_id, "actAs": self.actor_act_as },
            "occurredAt": chain::timestamp(self.occurred_at),
            "receivedAt": chain::timestamp(self.received_at),
            "envelope": self.payload,
            "prevHash": chain::hex(&self.prev_hash),
            "hash": chain::hex(&self.hash),
        })
    }
}

/// Where a firm's chain continues after archived rows were removed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chain_anchors, check_for_backend(diesel::pg::Pg))]
pub struct Anchor {
    pub through_seq: i64,
    pub last_hash: Vec<u8>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = chain_anchors)]
pub struct NewAnchor {
    pub firm_id: Uuid,
    pub through_seq: i64,
    pub last_hash: Vec<u8>,
    pub rows_archived: i64,
    pub object_key: String,
    pub cutoff: DateTime<Utc>,
}

/// A link that does not hold, as `verify` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub id: Uuid,
    pub seq: i64,
}

/// The outcome of recomputing a firm's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub valid: bool,
    pub checked: i64,
    pub first_broken_at: Option<BrokenLink>,
}
