//! The Telnyx webhook with a test key pair and Telnyx's payload shapes: a
//! signed inbound SMS lands on the contact's SMS channel (or the intake
//! channel), the firm found by the receiving number; bad or stale signatures
//! are 401 with nothing stored; each event is taken once; unset settings 503.

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::*;

pub const FIRM_NUMBER: &str = "+18445550001";
const CLIENT_PHONE: &str = "+15550102030";

pub fn inbound(event_id: &str, from: &str, to: &str, text: &str) -> Value {
    json!({
        "data": {
            "record_type": "event", "id": event_id, "event_type": "message.received",
            "occurred_at": "2026-03-01T10:00:00.000+00:00",
            "payload": {
                "record_type": "message", "direction": "inbound", "id": Uuid::now_v7(), "type": "SMS",
                "messaging_profile_id": PROFILE, "organization_id": "b448f9cc-a842-4784-98e9-03c1a5872950",
                "from": { "phone_number": from, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless" },
                "to": [{ "phone_number": to, "status": "webhook_delivered", "carrier": "TELNYX LLC", "line_type": "VoIP" }],
                "cc": [], "text": text, "media": [], "encoding": "GSM-7", "parts": 1, "tags": [],
                "received_at": "2026-03-01T10:00:00.000+00:00", "errors": []
            }
        },
        "meta": { "attempt": 1, "delivered_to": "https://api.lawos.example.com/webhooks/telephony/" }
    })
}

/// `body` as Telnyx delivers it: signed with `secret` at `timestamp`.
pub fn deliver(
    env: &Env,
    body: &Value,
    timestamp: i64,
    secret: &[u8; 32],
) -> reqwest::RequestBuilder {
    let raw = serde_json::to_vec(body).unwrap();
    let ts = timestamp.to_string();
    env.app
        .http
        .post(env.app.url("/webhooks/telephony/"))
        .header("content-type", "application/json")
        .header("telnyx-timestamp", &ts)
        .header(
            "telnyx-signature-ed25519",
            lawos_telnyx::sign(secret, &ts, &raw),
        )
        .body(raw)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Registers `number` for `firm` as its administrator.
pub async fn register(env: &Env, firm: FirmId, number: &str) {
    let admin = env.member(firm, "FIRM_ADMIN").await;
    send_ok(
        env.req(Method::POST, "/api/v1/messages/sms-numbers", &admin)
            .json(&json!({ "number": number, "label": "Main line" })),
        201,
    )
    .await;
}

#[tokio::test]
async fn a_signed_inbound_sms_becomes_a_message_on_the_contact_s_channel() {
    let env = spawn(With {
        contacts: true,
        webhook: true,
        ..With::default()
    })
    .await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let ada = env.member(firm, "LAWYER").await;
    // Firm A's contact holds the number; another firm's contact has it too.
    let person = json!({ "kind": "PERSON", "givenName": "Maria", "familyName": "Garcia",
                         "phones": [{ "number": "(555) 010-2030", "label": "mobile" }] });
    let contact = id_of(
        &send_ok(
            env.req(Method::POST, "/api/v1/contacts/", &ada)
                .json(&person),
            201,
        )
        .await,
    );
    let eve = env.member(other, "LAWYER").await;
    send_ok(
        env.req(Method::POST, "/api/v1/contacts/", &eve)
            .json(&person),
        201,
    )
    .await;
    register(&env, firm, FIRM_NUMBER).await;

    let event = inbound(
        "evt-1",
        CLIENT_PHONE,
        FIRM_NUMBER,
        "Is my hearing still on Monday?",
    );
    let taken = send_ok(deliver(&env, &event, now(), &TELNYX_SECRET), 200).await;
    assert_eq!(taken["status"], "STORED", "{taken}");
    let channel = env
        .channels
        .sms_channel(firm.0, Some(contact))
        .expect("the contact's SMS channel");
    let thread = send_ok(
        env.req(
            Method::GET,
            &format!(
                "/api/v1/messages/?channel_id={}",
                channel["id"].as_str().unwrap()
            ),
            &ada,
        ),
        200,
    )
    .await;
    let m = &thread["data"][0];
    assert_eq!(m["body"], "Is my hearing still on Monday?");
    assert_eq!(m["direction"], "INBOUND");
    assert_eq!(m["channelKind"], "SMS");
    assert_eq!(m["contextType"], "CONTACT");
    assert_eq!(m["senderContactId"], contact.to_string());
    assert_eq!(m["peerPhone"], CLIENT_PHONE);
    assert_eq!(m["firmNumber"], FIRM_NUMBER);
    let received = env.outbox("message.received").await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["data"]["contactId"], contact.to_string());
    assert_eq!(received[0]["data"]["from"], CLIENT_PHONE);
    assert_eq!(
        received[0]["context"],
        json!({ "type": "contact", "id": contact })
    );
    assert_eq!(received[0]["actor"]["userId"], Value::Null);

    // The same event again (Telnyx retries) changes nothing.
    let again = send_ok(deliver(&env, &event, now(), &TELNYX_SECRET), 200).await;
    assert_eq!(again["status"], "DUPLICATE");
    assert_eq!(env.count("messages", firm.0).await, 1);
    assert_eq!(
        env.count("messages", other.0).await,
        0,
        "the firm is the receiving number's"
    );

    // A number no contact holds lands in the firm's intake channel.
    let stranger = inbound(
        "evt-2",
        "+15550109999",
        FIRM_NUMBER,
        "Do you take immigration cases?",
    );
    assert_eq!(
        send_ok(deliver(&env, &stranger, now(), &TELNYX_SECRET), 200).await["status"],
        "STORED"
    );
    let intake = env
        .channels
        .sms_channel(firm.0, None)
        .expect("the intake channel");
    assert_eq!(intake["contextType"], "INTERNAL");
    assert_eq!(
        env.outbox("message.received").await[1]["data"]["contactId"],
        Value::Null
    );

    // A number no firm uses is acknowledged and dropped.
    let lost = inbound("evt-3", CLIENT_PHONE, "+18445559999", "hello?");
    let answer = send_ok(deliver(&env, &lost, now(), &TELNYX_SECRET), 200).await;
    assert_eq!(
        answer,
        json!({ "status": "IGNORED", "reason": "UNKNOWN_NUMBER", "messageId": null })
    );
    let typed = json!({ "data": { "id": "evt-4", "event_type": "call.initiated", "payload": {} } });
    assert_eq!(
        send_ok(deliver(&env, &typed, now(), &TELNYX_SECRET), 200).await["reason"],
        "EVENT_TYPE_NOT_HANDLED"
    );
    assert_eq!(env.count("telnyx_events", firm.0).await, 2);
}

#[tokio::test]
async fn bad_or_stale_signatures_are_refused_and_nothing_is_stored() {
    let env = spawn(With {
        contacts: true,
        webhook: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    register(&env, firm, FIRM_NUMBER).await;
    let event = inbound("evt-x", CLIENT_PHONE, FIRM_NUMBER, "hello");
    let wrong_key = deliver(&env, &event, now(), &[7; 32]);
    let stale = deliver(&env, &event, now() - 301, &TELNYX_SECRET);
    let future = deliver(&env, &event, now() + 400, &TELNYX_SECRET);
    let ts = now().to_string();
    let tampered = env
        .app
        .http
        .post(env.app.url("/webhooks/telephony/"))
        .header("telnyx-timestamp", &ts)
        .header(
            "telnyx-signature-ed25519",
            lawos_telnyx::sign(&TELNYX_SECRET, &ts, b"{\"other\":1}"),
        )
        .body(serde_json::to_vec(&event).unwrap());
    let unsigned = env
        .app
        .http
        .post(env.app.url("/webhooks/telephony/"))
        .body(serde_json::to_vec(&event).unwrap());
    for (name, req, want) in [
        ("wrong key", wrong_key, "AUTH_TOKEN_INVALID"),
        ("stale", stale, "AUTH_TOKEN_INVALID"),
        ("future", future, "AUTH_TOKEN_INVALID"),
        ("tampered", tampered, "AUTH_TOKEN_INVALID"),
        ("unsigned", unsigned, "AUTH_TOKEN_MISSING"),
    ] {
        let (status, body) = send(req).await;
        assert_eq!((status, code(&body)), (401, want), "{name}: {body}");
    }
    assert_eq!(env.count("telnyx_events", firm.0).await, 0);
    assert_eq!(env.count("messages", firm.0).await, 0);
    assert!(
        env.channels.sms_channel(firm.0, None).is_none(),
        "channels was never asked"
    );
    // Signed but not Telnyx's envelope: 400; a messaging event without a message: 422.
    let (status, _) = send(deliver(
        &env,
        &json!({ "hello": "world" }),
        now(),
        &TELNYX_SECRET,
    ))
    .await;
    assert_eq!(status, 400);
    let odd = json!({ "data": { "id": "evt-y", "event_type": "message.received", "payload": { "text": "no numbers" } } });
    let (status, _) = send(deliver(&env, &odd, now(), &TELNYX_SECRET)).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn without_a_public_key_the_webhook_answers_503() {
    let env = spawn(With::default()).await;
    let event = inbound("evt-z", CLIENT_PHONE, FIRM_NUMBER, "hello");
    let (status, body) = send(deliver(&env, &event, now(), &TELNYX_SECRET)).await;
    assert_eq!((status, code(&body)), (503, "SERVICE_UNAVAILABLE"));
    assert_eq!(body["error"]["details"]["reason"], "TELNYX_NOT_CONFIGURED");
}

#[tokio::test]
async fn sms_numbers_are_for_firm_administrators_and_unique_on_the_platform() {
    let env = spawn(With::default()).await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let ada = env.member(firm, "LAWYER").await;
    let (admin, other_admin) = (
        env.member(firm, "FIRM_ADMIN").await,
        env.member(other, "FIRM_ADMIN").await,
    );
    let path = "/api/v1/messages/sms-numbers";
    let (status, _) = send(
        env.req(Method::POST, path, &ada)
            .json(&json!({ "number": FIRM_NUMBER })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(env.req(Method::GET, path, &ada)).await;
    assert_eq!(status, 403);
    let (status, body) = send(
        env.req(Method::POST, path, &admin)
            .json(&json!({ "number": "0844", "label": "x".repeat(101) })),
    )
    .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["number".to_owned(), "label".to_owned()])
    );
    let added = send_ok(
        env.req(Method::POST, path, &admin)
            .json(&json!({ "number": FIRM_NUMBER, "label": "Main" })),
        201,
    )
    .await;
    let (status, body) = send(
        env.req(Method::POST, path, &other_admin)
            .json(&json!({ "number": FIRM_NUMBER })),
    )
    .await;
    assert_eq!((status, code(&body)), (409, "RESOURCE_ALREADY_EXISTS"));
    let listed = send_ok(env.req(Method::GET, path, &admin), 200).await;
    assert_eq!(listed["data"][0]["number"], FIRM_NUMBER);
    assert_eq!(
        send_ok(env.req(Method::GET, path, &other_admin), 200).await["data"],
        json!([])
    );
    let one = format!("{path}/{}", id_of(&added));
    let (status, _) = send(env.req(Method::DELETE, &one, &other_admin)).await;
    assert_eq!(status, 404);
    let (status, _) = send(env.req(Method::DELETE, &one, &admin)).await;
    assert_eq!(status, 204);
    let (status, _) = send(env.req(Method::DELETE, &one, &admin)).await;
    assert_eq!(status, 404);
    // Freed, the number may be taken by another firm.
    send_ok(
        env.req(Method::POST, path, &other_admin)
            .json(&json!({ "number": FIRM_NUMBER })),
        201,
    )
    .await;
}
