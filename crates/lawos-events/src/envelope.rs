//! The event envelope every LawOS event travels in (ARCHITECTURE §4): the same JSON
//! shape whether the event was written by a SQL trigger or by service code.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Current envelope version. Bump only with a migration plan for consumers.
pub const ENVELOPE_VERSION: i32 = 1;

/// One event, as published on `lawos.events` with routing key = [`EventEnvelope::event_type`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    /// UUIDv7, unique per event; consumers deduplicate on it (see [`crate::apply_once`]).
    pub id: Uuid,
    /// `<entity>.<verb>`, e.g. `firm.updated`, `matter.stage_changed`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: i32,
    /// The tenant the event belongs to; `null` only for platform-level entities.
    pub firm_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub entity: EntityRef,
    /// The resource the entity lives under, when there is one (a message's or a
    /// task's matter): the audit log files the event in that resource's history
    /// too, so a matter's timeline shows what happened to its tasks and messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<EntityRef>,
    /// W3C trace context of the request that caused the event, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// Event-specific payload; for entity events the row as `to_jsonb(row)`.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// Who caused the event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The acting user; `null` for system work (jobs, consumers without a user).
    pub user_id: Option<Uuid>,
    /// Set when a support session acts as `user_id`: the support principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_as: Option<String>,
}

/// The entity the event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRef {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub id: Uuid,
}

impl EntityRef {
    pub fn new(entity_type: impl Into<String>, id: Uuid) -> Self {
        Self {
            entity_type: entity_type.into(),
            id,
        }
    }
}

impl EventEnvelope {
    /// Starts an envelope for a business event; id (UUIDv7), version and
    /// `occurredAt` are filled in by [`EventEnvelopeBuilder::build`].
    pub fn builder(event_type: impl Into<String>, entity: EntityRef) -> EventEnvelopeBuilder {
        EventEnvelopeBuilder {
            event_type: event_type.into(),
            entity,
            context: None,
            firm_id: None,
            actor: Actor::default(),
            traceparent: None,
            data: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// Decodes an envelope from a message body.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// Builder for [`EventEnvelope`]; see [`EventEnvelope::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EventEnvelopeBuilder {
    event_type: String,
    entity: EntityRef,
    context: Option<EntityRef>,
    firm_id: Option<Uuid>,
    actor: Actor,
    traceparent: Option<String>,
    data: serde_json::Value,
}

impl EventEnvelopeBuilder {
    pub fn firm(mut self, firm_id: Uuid) -> Self {
        self.firm_id = Some(firm_id);
        self
    }

    /// Files the event under `context` as well (see [`EventEnvelope::context`]).
    pub fn context(mut self, context: Option<EntityRef>) -> Self {
        self.context = context;
        self
    }

    pub fn user(mut self, user_id: Option<Uuid>) -> Self {
        self.actor.user_id = user_id;
        self
    }

    pub fn act_as(mut self, support_principal: Option<String>) -> Self {
        self.actor.act_as = support_principal;
        self
    }

    pub fn traceparent(mut self, traceparent: Option<String>) -> Self {
        self.traceparent = traceparent;
        self
    }

    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// Serialises `data` into the envelope's `data` field.
    pub fn data_from<T: Serialize>(self, data: &T) -> Result<Self, serde_json::Error> {
        Ok(self.data(serde_json::to_value(data)?))
    }

    pub fn build(self) -> EventEnvelope {
        EventEnvelope {
            id: Uuid::now_v7(),
            event_type: self.event_type,
            version: ENVELOPE_VERSION,
            firm_id: self.firm_id,
            occurred_at: Utc::now(),
            actor: self.actor,
            entity: self.entity,
            context: self.context,
            traceparent: self.traceparent,
            data: self.data,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> EventEnvelope {
        let firm = Uuid::now_v7();
        let user = Uuid::now_v7();
        EventEnvelope::builder(
            "matter.stage_changed",
            EntityRef::new("matter", Uuid::now_v7()),
        )
        .firm(firm)
        .user(Some(user))
        .act_as(Some("support:alice".into()))
        .traceparent(Some(
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
        ))
        .data(json!({"from": "intake", "to": "open"}))
        .build()
    }

    #[test]
    fn serialises_with_camel_case_contract_fields() {
        let env = sample();
        let v = serde_json::to_value(&env).unwrap();
        let obj = v.as_object().unwrap();
        let mut keys: Vec<_> = obj.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "actor",
                "data",
                "entity",
                "firmId",
                "id",
                "occurredAt",
                "traceparent",
                "type",
                "version"
            ]
        );
        assert_eq!(v["type"], "matter.stage_changed");
        assert_eq!(v["version"], 1);
        assert_eq!(v["firmId"], env.firm_id.unwrap().to_string());
        assert_eq!(v["actor"]["userId"], env.actor.user_id.unwrap().to_string());
        assert_eq!(v["actor"]["actAs"], "support:alice");
        assert_eq!(
            v["entity"],
            json!({"type": "matter", "id": env.entity.id.to_string()})
        );
        assert_eq!(v["data"]["to"], "open");
        assert!(v["occurredAt"].as_str().unwrap().ends_with('Z'));
        assert_eq!(env.id.get_version_num(), 7);
    }

    #[test]
    fn optional_fields_are_omitted_and_round_trip() {
        let env =
            EventEnvelope::builder("firm.updated", EntityRef::new("firm", Uuid::now_v7())).build();
        let v = serde_json::to_value(&env).unwrap();
        assert!(v.get("traceparent").is_none());
        assert!(v["actor"].get("actAs").is_none());
        assert_eq!(v["actor"]["userId"], serde_json::Value::Null);
        assert_eq!(v["firmId"], serde_json::Value::Null);
        let back: EventEnvelope = serde_json::from_value(v).unwrap();
        assert_eq!(back, env);
        let full = sample();
        let bytes = serde_json::to_vec(&full).unwrap();
        assert_eq!(EventEnvelope::from_slice(&bytes).unwrap(), full);
    }

    #[test]
    fn decodes_trigger_written_envelope() {
        // The shape `lawos_emit_entity_event()` writes (no traceparent, no actAs).
        let id = Uuid::now_v7();
        let raw = json!({
            "id": id, "type": "firm.created", "version": 1, "firmId": id,
            "occurredAt": "2025-01-02T03:04:05.123456Z",
            "actor": {"userId": null}, "entity": {"type": "firm", "id": id},
            "data": {"id": id, "name": "Acme"}
        });
        let env: EventEnvelope = serde_json::from_value(raw).unwrap();
        assert_eq!(env.event_type, "firm.created");
        assert_eq!(env.entity.entity_type, "firm");
        assert_eq!(env.traceparent, None);
    }
}
