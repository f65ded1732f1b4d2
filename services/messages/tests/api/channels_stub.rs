//! A stand-in for the channels service answering its contract to messages:
//! `GET /api/v1/channels/{id}` (404 unless the channel is the caller's firm's
//! and not hidden from them; a service names the firm in `X-Firm-Id`) and
//! `POST /api/v1/channels/sms` (the contact's SMS channel, or the firm's
//! intake channel, found or created). Every request is recorded by wiremock.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Default)]
struct Registry {
    channels: HashMap<Uuid, Value>,
    /// (user, channel) pairs channels hides although the firm matches.
    hidden: HashSet<(Uuid, Uuid)>,
}

/// The caller's firm and user: a user token's claims, or a service's `X-Firm-Id`.
fn caller(req: &Request) -> (Option<Uuid>, Option<Uuid>) {
    let header = |n: &str| req.headers.get(n).and_then(|v| v.to_str().ok());
    let claims: Value = header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| t.split('.').nth(1))
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let uuid = |v: &Value| v.as_str().and_then(|s| s.parse().ok());
    let firm =
        uuid(&claims["firm_id"]).or_else(|| header("x-firm-id").and_then(|f| f.parse().ok()));
    (firm, uuid(&claims["sub"]))
}

struct Get(Arc<Mutex<Registry>>);

impl Respond for Get {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let id: Option<Uuid> = req
            .url
            .path()
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok());
        let (firm, user) = caller(req);
        let reg = self.0.lock().unwrap();
        let found = id.and_then(|id| reg.channels.get(&id)).filter(|c| {
            firm.is_some_and(|f| c["firmId"] == f.to_string())
                && !user.is_some_and(|u| reg.hidden.contains(&(u, id.unwrap_or_default())))
        });
        match found {
            Some(c) => ResponseTemplate::new(200).set_body_json(c),
            None => ResponseTemplate::new(404)
                .set_body_json(json!({ "error": { "code": "RESOURCE_NOT_FOUND" } })),
        }
    }
}

struct Sms(Arc<Mutex<Registry>>);

impl Respond for Sms {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let (Some(firm), _) = caller(req) else {
            return ResponseTemplate::new(403);
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let contact = body["contactId"].as_str().map(str::to_owned);
        let phone = body["phone"].as_str().unwrap_or_default().to_owned();
        let mut reg = self.0.lock().unwrap();
        let existing = reg.channels.values().find(|c| {
            c["firmId"] == firm.to_string()
                && c["kind"] == "SMS"
                && c["isDefault"] == true
                && match &contact {
                    Some(id) => c["contextType"] == "CONTACT" && c["contextId"] == *id,
                    None => c["contextType"] == "INTERNAL",
                }
        });
        if let Some(c) = existing {
            return ResponseTemplate::new(200).set_body_json(c);
        }
        let (context_type, participants) = match &contact {
            Some(id) => (
                "CONTACT",
                json!([{ "id": Uuid::now_v7(), "type": "CONTACT", "userId": null, "contactId": id, "phone": phone }]),
            ),
            None => ("INTERNAL", json!([])),
        };
        let c = channel(
            firm,
            context_type,
            contact.as_deref().and_then(|c| c.parse().ok()),
            "SMS",
            participants,
            true,
        );
        reg.channels.insert(
            Uuid::parse_str(c["id"].as_str().unwrap()).unwrap(),
            c.clone(),
        );
        ResponseTemplate::new(201).set_body_json(c)
    }
}

fn channel(
    firm: Uuid,
    context_type: &str,
    context_id: Option<Uuid>,
    kind: &str,
    participants: Value,
    is_default: bool,
) -> Value {
    json!({
        "id": Uuid::now_v7(), "firmId": firm, "contextType": context_type, "contextId": context_id,
        "kind": kind, "title": format!("{kind} channel"), "isDefault": is_default,
        "participants": participants, "lastActivityAt": null, "archivedAt": null,
    })
}

pub struct ChannelsStub {
    pub server: MockServer,
    registry: Arc<Mutex<Registry>>,
}

impl ChannelsStub {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let registry = Arc::new(Mutex::new(Registry::default()));
        Mock::given(method("GET"))
            .and(path_regex(r"^/api/v1/channels/[0-9a-f-]{36}$"))
            .respond_with(Get(registry.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/channels/sms"))
            .respond_with(Sms(registry.clone()))
            .mount(&server)
            .await;
        Self { server, registry }
    }

    /// A channel of `firm` with `users` and `contacts` (contact id, phone) as participants.
    pub fn add(
        &self,
        firm: Uuid,
        context_type: &str,
        context_id: Option<Uuid>,
        kind: &str,
        users: &[Uuid],
        contacts: &[(Uuid, &str)],
    ) -> Uuid {
        let mut participants: Vec<Value> = users
            .iter()
            .map(|u| json!({ "id": Uuid::now_v7(), "type": "USER", "userId": u, "contactId": null, "phone": null }))
            .collect();
        participants.extend(contacts.iter().map(|(c, phone)| {
            json!({ "id": Uuid::now_v7(), "type": "CONTACT", "userId": null, "contactId": c, "phone": phone })
        }));
        let c = channel(
            firm,
            context_type,
            context_id,
            kind,
            Value::Array(participants),
            false,
        );
        let id = Uuid::parse_str(c["id"].as_str().unwrap()).unwrap();
        self.registry.lock().unwrap().channels.insert(id, c);
        id
    }

    /// Channels hides `channel` from `user`, whatever their role says.
    pub fn hide(&self, user: Uuid, channel: Uuid) {
        self.registry.lock().unwrap().hidden.insert((user, channel));
    }

    pub fn archive(&self, channel: Uuid) {
        if let Some(c) = self.registry.lock().unwrap().channels.get_mut(&channel) {
            c["archivedAt"] = json!("2026-03-01T00:00:00Z");
        }
    }

    /// The channel `POST /sms` answered for `contact` (or the intake) in `firm`, if any.
    pub fn sms_channel(&self, firm: Uuid, contact: Option<Uuid>) -> Option<Value> {
        let reg = self.registry.lock().unwrap();
        reg.channels
            .values()
            .find(|c| {
                c["firmId"] == firm.to_string()
                    && c["kind"] == "SMS"
                    && c["isDefault"] == true
                    && match contact {
                        Some(id) => c["contextId"] == id.to_string(),
                        None => c["contextType"] == "INTERNAL",
                    }
            })
            .cloned()
    }
}
