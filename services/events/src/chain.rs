//! The hash chain. Each stored row's `hash` is
//! `sha256(prev_hash || canonical(row))`, where `canonical(row)` is the JSON
//! object of every stored field except the two hashes, written with keys sorted
//! (by code point, recursively), no whitespace, strings escaped as serde_json
//! writes them, numbers as serde_json prints them, timestamps as RFC 3339 UTC
//! with microseconds, and uuids in lowercase hyphenated form. The envelope is
//! parsed once before hashing, so reading it back from `jsonb` yields the same
//! canonical text. The first row of a firm links to [`GENESIS`], or to the last
//! archived row's hash once older rows were archived.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::EventRow;

/// The `prev_hash` of a firm's first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// A timestamp as the chain and the API write it.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Appends the canonical JSON text of `value` to `out`.
pub fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The canonical form of a row: every stored field but the hashes.
pub fn canonical(row: &EventRow) -> String {
    let fields = serde_json::json!({
        "id": row.id,
        "firmId": row.firm_id,
        "seq": row.seq,
        "eventType": row.event_type,
        "entityType": row.entity_type,
        "entityId": row.entity_id,
        "actorUserId": row.actor_user_id,
        "actorActAs": row.actor_act_as,
        "occurredAt": timestamp(row.occurred_at),
        "receivedAt": timestamp(row.received_at),
        "payload": row.payload,
    });
    let mut out = String::new();
    write_canonical(&fields, &mut out);
    out
}

/// `sha256(prev_hash || canonical(row))`.
pub fn hash(prev_hash: &[u8], row: &EventRow) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(canonical(row).as_bytes());
    hasher.finalize().to_vec()
}

/// Whether `row` is a valid link after `expected_prev`.
pub fn link_holds(expected_prev: &[u8], row: &EventRow) -> bool {
    row.prev_hash == expected_prev && hash(&row.prev_hash, row) == row.hash
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    fn row(payload: Value) -> EventRow {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        EventRow {
            id: Uuid::nil(),
            firm_id: Uuid::nil(),
            seq: 7,
            event_type: "firm.updated".into(),
            entity_type: "firm".into(),
            entity_id: Uuid::nil(),
            actor_user_id: None,
            actor_act_as: None,
            occurred_at: t,
            received_at: t,
            payload,
            prev_hash: GENESIS.to_vec(),
            hash: Vec::new(),
        }
    }

    #[test]
    fn canonical_sorts_keys_at_every_level_without_whitespace() {
        let mut out = String::new();
        write_canonical(
            &json!({"b": [1, {"z": "é\"", "a": null}], "a": 1.5}),
            &mut out,
        );
        assert_eq!(out, r#"{"a":1.5,"b":[1,{"a":null,"z":"é\""}]}"#);
    }

    #[test]
    fn the_hash_survives_a_jsonb_style_round_trip_and_sees_every_change() {
        let original = row(json!({"id": "x", "data": {"n": 12.5, "big": 18446744073709551615u64}}));
        let h = hash(&GENESIS, &original);
        assert_eq!(h.len(), 32);
        // Re-parsed text (as jsonb hands it back, keys reordered) hashes the same.
        let reparsed: Value =
            serde_json::from_str(r#"{"data":{"big":18446744073709551615,"n":12.5},"id":"x"}"#)
                .unwrap();
        assert_eq!(hash(&GENESIS, &row(reparsed)), h);
        let mut changed = original.clone();
        changed.event_type = "firm.deleted".into();
        assert_ne!(hash(&GENESIS, &changed), h);
        let mut moved = original.clone();
        moved.seq = 8;
        assert_ne!(hash(&GENESIS, &moved), h);
        assert_ne!(hash(&[1; 32], &original), h);
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0, 171, 255]), "00abff");
    }
}
