//! Telnyx's webhook envelope and its messaging payloads:
//!
//! ```json
//! {"data": {"record_type": "event", "id": "<event id>", "event_type": "message.received",
//!           "occurred_at": "…", "payload": {"id": "<message id>", "direction": "inbound",
//!           "from": {"phone_number": "+1…"}, "to": [{"phone_number": "+1…", "status": "…"}],
//!           "text": "…", "errors": []}},
//!  "meta": {"attempt": 1, "delivered_to": "…"}}
//! ```
//!
//! `message.received` is an inbound message (`from` the sender, `to` the
//! receiving numbers); `message.sent` and `message.finalized` report an
//! outbound message (`from` the sending number, `to[].status` each recipient's state).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The event's id: the same event delivered twice carries the same id.
    pub id: String,
    pub event_type: String,
    pub occurred_at: Option<String>,
    /// The event's payload as sent (a message for the messaging events).
    pub payload: Value,
}

#[derive(Deserialize)]
struct Envelope {
    data: EnvelopeData,
}

#[derive(Deserialize)]
struct EnvelopeData {
    id: String,
    event_type: String,
    #[serde(default)]
    occurred_at: Option<String>,
    #[serde(default)]
    payload: Value,
}

impl WebhookEvent {
    /// Reads a delivery's body; an error when it is not Telnyx's envelope.
    pub fn parse(raw: &[u8]) -> Result<Self, serde_json::Error> {
        let Envelope { data } = serde_json::from_slice(raw)?;
        Ok(Self {
            id: data.id,
            event_type: data.event_type,
            occurred_at: data.occurred_at,
            payload: data.payload,
        })
    }

    /// The payload as a message (messaging events).
    pub fn message(&self) -> Result<WebhookMessage, serde_json::Error> {
        WebhookMessage::deserialize(&self.payload)
    }
}

/// A message as the messaging events carry it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WebhookMessage {
    /// Telnyx's message id (what `send_sms` answered, for outbound messages).
    pub id: String,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub from: Address,
    #[serde(default)]
    pub to: Vec<Recipient>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub errors: Vec<ProviderError>,
}

/// A phone number with what Telnyx knows of its carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub phone_number: String,
    pub carrier: Option<String>,
    pub line_type: Option<String>,
}

impl<'de> Deserialize<'de> for Address {
    /// Telnyx sends `from` as an object; message records show it as a string.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(String),
            Object {
                phone_number: String,
                #[serde(default)]
                carrier: Option<String>,
                #[serde(default)]
                line_type: Option<String>,
            },
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Number(phone_number) => Self {
                phone_number,
                carrier: None,
                line_type: None,
            },
            Repr::Object {
                phone_number,
                carrier,
                line_type,
            } => Self {
                phone_number,
                carrier,
                line_type,
            },
        })
    }
}

/// One recipient of a message and its state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Recipient {
    pub phone_number: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// A recipient's Telnyx status, read as a delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `queued`, `sending`: not yet handed to the carrier.
    Queued,
    /// `sent`: handed to the carrier.
    Sent,
    /// `delivered`: the carrier confirmed delivery.
    Delivered,
    /// `sending_failed`, `delivery_failed`: it will not arrive.
    Failed,
    /// `delivery_unconfirmed`, `webhook_delivered`, anything new: nothing to conclude.
    Unknown,
}

impl Recipient {
    pub fn delivery(&self) -> Delivery {
        match self.status.as_deref() {
            Some("queued" | "sending") => Delivery::Queued,
            Some("sent") => Delivery::Sent,
            Some("delivered") => Delivery::Delivered,
            Some("sending_failed" | "delivery_failed") => Delivery::Failed,
            _ => Delivery::Unknown,
        }
    }
}

/// One of Telnyx's errors (`code` is a string in the API, sometimes a number).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderError {
    #[serde(default, deserialize_with = "code_text")]
    pub code: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

fn code_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

impl WebhookMessage {
    /// The message's errors as one line (`code title: detail; …`), if any.
    pub fn error_text(&self) -> Option<String> {
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                let mut line = e.code.clone().map(|c| c + " ").unwrap_or_default();
                line.push_str(e.title.as_deref().unwrap_or("error"));
                if let Some(detail) = &e.detail {
                    line.push_str(": ");
                    line.push_str(detail);
                }
                line
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_inbound_message_reads_from_telnyx_shape() {
        let raw = serde_json::to_vec(&json!({
            "data": {
                "record_type": "event", "id": "bf6307bd-884d-4c1f-b6ea-c62b8c495d3c",
                "event_type": "message.received", "occurred_at": "2019-01-23T18:10:02.574Z",
                "payload": {
                    "record_type": "message", "direction": "inbound",
                    "id": "7ee4241c-f127-47e5-9c34-3aac291f8058", "type": "SMS",
                    "from": { "phone_number": "+18665550001", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless" },
                    "to": [{ "phone_number": "+18445550001", "status": "delivered", "carrier": "TELNYX LLC", "line_type": "VoIP" }],
                    "cc": [], "text": "Hello, World!", "media": [], "encoding": "GSM-7", "parts": 1
                }
            },
            "meta": { "attempt": 1, "delivered_to": "https://example.com/hooks" }
        }))
        .unwrap();
        let event = WebhookEvent::parse(&raw).unwrap();
        assert_eq!(event.event_type, "message.received");
        let m = event.message().unwrap();
        assert_eq!(m.from.phone_number, "+18665550001");
        assert_eq!(m.to[0].phone_number, "+18445550001");
        assert_eq!(m.text.as_deref(), Some("Hello, World!"));
        assert_eq!(m.error_text(), None);
    }

    #[test]
    fn receipts_name_each_recipient_state_and_the_errors() {
        let payload = json!({
            "id": "40385f64-5717-4562-b3fc-2c963f66afa6", "direction": "outbound",
            "from": "+18445550001",
            "to": [{ "phone_number": "+18665550002", "status": "delivery_failed" }],
            "errors": [{ "code": 40008, "title": "Undeliverable", "detail": "The carrier rejected it" }]
        });
        let m = WebhookMessage::deserialize(&payload).unwrap();
        assert_eq!(m.from.phone_number, "+18445550001");
        assert_eq!(m.to[0].delivery(), Delivery::Failed);
        assert_eq!(
            m.error_text().as_deref(),
            Some("40008 Undeliverable: The carrier rejected it")
        );
        let r = |s: &str| Recipient {
            phone_number: String::new(),
            status: Some(s.to_owned()),
        };
        assert_eq!(r("delivered").delivery(), Delivery::Delivered);
        assert_eq!(r("sent").delivery(), Delivery::Sent);
        assert_eq!(r("sending").delivery(), Delivery::Queued);
        assert_eq!(r("delivery_unconfirmed").delivery(), Delivery::Unknown);
    }
}
