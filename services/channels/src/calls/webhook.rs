//! LiveKit's webhooks applied to a call: `room_started` (ACTIVE, `call.started`),
//! `participant_joined` / `participant_left` (sessions), `room_finished` (ENDED
//! with its duration, `call.ended`). Each event id is applied once; events of
//! rooms this platform did not open, or of other kinds, change nothing.
//!
//! The body is LiveKit's `WebhookEvent` in protobuf JSON: `event`, `id`,
//! `createdAt` (unix seconds, a string or a number), `room.name`,
//! `participant.{sid, identity, name}`.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::{ApiError, ErrorCode};
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use uuid::Uuid;

use super::model::{CREATED, CallRow, ENDED, Session};
use crate::NAME;
use crate::storage::calls;

pub const CALL_STARTED: &str = "call.started";
pub const CALL_ENDED: &str = "call.ended";
/// The webhooks a call listens to (LiveKit sends more: tracks, egress, …).
const HANDLED: [&str; 4] = [
    "room_started",
    "participant_joined",
    "participant_left",
    "room_finished",
];

/// One webhook, as far as calls read it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub id: String,
    pub event: String,
    pub room: String,
    pub participant: Option<Session>,
    pub at: DateTime<Utc>,
}

fn text<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| v[*k].as_str())
        .filter(|s| !s.is_empty())
}

/// Unix seconds given as a number or a string (protobuf JSON's int64).
fn seconds(v: &Value, keys: &[&str]) -> Option<DateTime<Utc>> {
    let raw = keys.iter().map(|k| &v[*k]).find(|x| !x.is_null())?;
    let secs = raw
        .as_i64()
        .or_else(|| raw.as_str().and_then(|s| s.parse().ok()))?;
    DateTime::from_timestamp(secs, 0)
}

/// Reads the body; 400 when it is not a LiveKit event.
pub fn parse(body: &[u8]) -> Result<Incoming, ApiError> {
    let not_event = || ApiError::new(ErrorCode::MalformedJson, "The body is not a LiveKit event");
    let v: Value = serde_json::from_slice(body).map_err(|_| not_event())?;
    let participant = v["participant"].is_object().then(|| {
        let p = &v["participant"];
        Session {
            sid: text(p, &["sid"]).unwrap_or_default().to_owned(),
            identity: text(p, &["identity"]).unwrap_or_default().to_owned(),
            name: text(p, &["name"]).map(str::to_owned),
        }
    });
    Ok(Incoming {
        id: text(&v, &["id"]).ok_or_else(not_event)?.to_owned(),
        event: text(&v, &["event"]).ok_or_else(not_event)?.to_owned(),
        room: text(&v["room"], &["name"]).unwrap_or_default().to_owned(),
        participant: participant.filter(|p| !p.sid.is_empty()),
        at: seconds(&v, &["createdAt", "created_at"]).unwrap_or_else(Utc::now),
    })
}

/// The channel's context as an event context (its matter or contact).
async fn context_of(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
) -> Result<Option<EntityRef>, ApiError> {
    use crate::schema::channels;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let found: Option<(String, Option<Uuid>)> = channels::table
        .find(channel)
        .select((channels::context_type, channels::context_id))
        .first(conn)
        .await
        .optional()?;
    Ok(found.and_then(|(t, id)| match (t.as_str(), id) {
        ("MATTER", Some(id)) => Some(EntityRef::new("matter", id)),
        ("CONTACT", Some(id)) => Some(EntityRef::new("contact", id)),
        _ => None,
    }))
}

/// `call.started` / `call.ended`, filed under the channel's matter or contact.
async fn announce(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    call: &CallRow,
) -> Result<(), ApiError> {
    let people = calls::people(conn, &[call.id]).await?;
    let mut users: Vec<Uuid> = people.iter().filter_map(|p| p.user_id).collect();
    users.dedup();
    let context = context_of(conn, call.channel_id).await?;
    let data = json!({
        "callId": call.id,
        "channelId": call.channel_id,
        "roomName": call.room_name,
        "startedAt": call.started_at,
        "endedAt": call.ended_at,
        "durationSeconds": call.duration_seconds,
        "participantUserIds": users,
        "matterId": context.as_ref().filter(|c| c.entity_type == "matter").map(|c| c.id),
    });
    let envelope = EventEnvelope::builder(event_type, EntityRef::new("call", call.id))
        .firm(call.firm_id)
        .context(context)
        .traceparent(lawos_telemetry::traceparent_from_current_span())
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

/// Applies `event` to call `call_id` of `firm` (inside its tenant transaction);
/// whether anything changed.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    call_id: Uuid,
    event: &Incoming,
) -> Result<bool, ApiError> {
    if !HANDLED.contains(&event.event.as_str()) {
        return Ok(false);
    }
    let Some(call) = calls::lock_room(conn, call_id, &event.room).await? else {
        return Ok(false);
    };
    if !calls::first_delivery(conn, firm, &event.id, &event.event, call.id).await? {
        return Ok(false);
    }
    let at = event.at;
    match (event.event.as_str(), &event.participant) {
        ("room_started", _) if call.status == CREATED => {
            let call = calls::start(conn, call.id, at).await?;
            announce(conn, CALL_STARTED, &call).await?;
        }
        ("participant_joined", Some(who)) => {
            calls::joined(conn, firm, call.id, who, at).await?;
            if call.status == CREATED {
                let call = calls::start(conn, call.id, at).await?;
                announce(conn, CALL_STARTED, &call).await?;
            }
        }
        ("participant_left", Some(who)) => calls::left(conn, call.id, &who.sid, at).await?,
        ("room_finished", _) if call.status != ENDED => {
            let started = call.started_at.unwrap_or(at).min(at);
            let duration = i32::try_from((at - started).num_seconds().max(0)).unwrap_or(i32::MAX);
            let call = calls::finish(conn, call.id, started, at, duration).await?;
            announce(conn, CALL_ENDED, &call).await?;
        }
        _ => {}
    }
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn livekit_events_are_read_in_either_int64_form() {
        let body = br#"{"event":"participant_joined","id":"EV_1","createdAt":"1700000000",
            "room":{"name":"r","sid":"RM_1"},"participant":{"sid":"PA_1","identity":"u","name":"Ada"}}"#;
        let e = parse(body).unwrap();
        assert_eq!(
            (e.event.as_str(), e.id.as_str(), e.room.as_str()),
            ("participant_joined", "EV_1", "r")
        );
        assert_eq!(e.at.timestamp(), 1_700_000_000);
        assert_eq!(e.participant.unwrap().name.as_deref(), Some("Ada"));
        let e = parse(
            br#"{"event":"room_started","id":"EV_2","createdAt":1700000001,"room":{"name":"r"}}"#,
        )
        .unwrap();
        assert_eq!(e.at.timestamp(), 1_700_000_001);
        assert!(e.participant.is_none());
        assert!(parse(br#"{"room":{"name":"r"}}"#).is_err());
        assert!(parse(b"not json").is_err());
    }
}
