//! Outbound SMS through a wiremock Telnyx: the request Telnyx receives, the
//! message becoming SENT (then DELIVERED by a receipt), 5xx retried then
//! FAILED with the reason, refusals failing at once, and what is checked
//! before anything is queued.

use std::time::Duration;

use lawos_core::FirmId;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;
use crate::telnyx::{FIRM_NUMBER, deliver, now, register};

const CLIENT_PHONE: &str = "+15550104444";
const PROVIDER_ID: &str = "40385f64-5717-4562-b3fc-2c963f66afa6";

async fn sms_channel(env: &Env, firm: FirmId) -> Uuid {
    env.channels.add(
        firm.0,
        "CONTACT",
        Some(Uuid::now_v7()),
        "SMS",
        &[],
        &[(Uuid::now_v7(), CLIENT_PHONE)],
    )
}

/// The message once its delivery status is `status` (polled).
async fn once_status(env: &Env, user: &TestUser, id: Uuid, status: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let m = send_ok(
            env.req(Method::GET, &format!("/api/v1/messages/{id}"), user),
            200,
        )
        .await;
        if m["deliveryStatus"] == status {
            return m;
        }
        assert!(std::time::Instant::now() < deadline, "never {status}: {m}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": {
        "record_type": "message", "direction": "outbound", "id": PROVIDER_ID, "type": "SMS",
        "messaging_profile_id": PROFILE, "from": { "phone_number": FIRM_NUMBER, "carrier": "TELNYX LLC", "line_type": "VoIP" },
        "to": [{ "phone_number": CLIENT_PHONE, "status": "queued", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless" }],
        "text": "Your hearing moved to 10:00.", "parts": 1, "encoding": "GSM-7", "errors": []
    }}))
}

#[tokio::test]
async fn an_outbound_sms_reaches_telnyx_and_becomes_sent_then_delivered() {
    let env = spawn(With {
        sending: true,
        webhook: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    register(&env, firm, FIRM_NUMBER).await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(header(
            "authorization",
            format!("Bearer {API_KEY}").as_str(),
        ))
        .and(body_json(json!({
            "from": FIRM_NUMBER, "to": CLIENT_PHONE, "text": "Your hearing moved to 10:00.",
            "messaging_profile_id": PROFILE, "type": "SMS"
        })))
        .respond_with(accepted())
        .expect(1)
        .mount(&env.telnyx)
        .await;
    let channel = sms_channel(&env, firm).await;
    let (status, m) = env
        .send(&ada, channel, "Your hearing moved to 10:00.")
        .await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["direction"], "OUTBOUND");
    assert_eq!(m["peerPhone"], CLIENT_PHONE);
    assert_eq!(m["firmNumber"], FIRM_NUMBER);
    let id = id_of(&m);
    let sent = once_status(&env, &ada, id, "SENT").await;
    assert_eq!(sent["providerMessageId"], PROVIDER_ID);
    assert_eq!(sent["deliveryError"], Value::Null);

    // Telnyx's receipt: delivered (and a late `message.sent` does not move it back).
    let receipt = |event_id: &str, event_type: &str, state: &str| {
        json!({ "data": {
        "record_type": "event", "id": event_id, "event_type": event_type, "occurred_at": "2026-03-01T10:00:05.000+00:00",
        "payload": { "record_type": "message", "direction": "outbound", "id": PROVIDER_ID, "type": "SMS",
            "from": { "phone_number": FIRM_NUMBER, "carrier": "TELNYX LLC", "line_type": "VoIP" },
            "to": [{ "phone_number": CLIENT_PHONE, "status": state, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless" }],
            "text": "Your hearing moved to 10:00.", "errors": [] } } })
    };
    let taken = send_ok(
        deliver(
            &env,
            &receipt("evt-r1", "message.finalized", "delivered"),
            now(),
            &TELNYX_SECRET,
        ),
        200,
    )
    .await;
    assert_eq!(taken["status"], "STORED");
    once_status(&env, &ada, id, "DELIVERED").await;
    let late = send_ok(
        deliver(
            &env,
            &receipt("evt-r0", "message.sent", "sent"),
            now(),
            &TELNYX_SECRET,
        ),
        200,
    )
    .await;
    assert_eq!(late["reason"], "NO_CHANGE");
    once_status(&env, &ada, id, "DELIVERED").await;
    let updates: Vec<Value> = env
        .outbox("message.delivery_updated")
        .await
        .into_iter()
        .map(|e| e["data"]["status"].clone())
        .collect();
    assert_eq!(updates, [json!("SENT"), json!("DELIVERED")]);
    assert_eq!(env.outbox("message.sent").await[0]["data"]["kind"], "SMS");
    // SMS are not edited.
    let (status, _) = send(
        env.req(Method::PATCH, &format!("/api/v1/messages/{id}"), &ada)
            .json(&json!({ "body": "changed" })),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_telnyx_5xx_is_retried_then_failed_with_the_reason() {
    let env = spawn(With {
        sending: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    register(&env, firm, FIRM_NUMBER).await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({ "errors": [{ "code": "10007", "title": "Unexpected error", "detail": "try later" }] })))
        .expect(3)
        .mount(&env.telnyx)
        .await;
    let (_, m) = env
        .send(&ada, sms_channel(&env, firm).await, "Call me back")
        .await;
    let failed = once_status(&env, &ada, id_of(&m), "FAILED").await;
    assert_eq!(
        failed["deliveryError"],
        "gave up after 3 attempts: Telnyx answered 503: 10007 Unexpected error: try later"
    );
    assert_eq!(failed["providerMessageId"], Value::Null);
    let updates = env.outbox("message.delivery_updated").await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["data"]["status"], "FAILED");
}

#[tokio::test]
async fn a_refusal_fails_at_once_and_a_retry_can_succeed() {
    let env = spawn(With {
        sending: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    register(&env, firm, FIRM_NUMBER).await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_json(json!({ "from": FIRM_NUMBER, "to": CLIENT_PHONE, "text": "refused", "messaging_profile_id": PROFILE, "type": "SMS" })))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({ "errors": [{ "code": "40300", "title": "Blocked due to STOP message" }] })))
        .expect(1)
        .mount(&env.telnyx)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_json(json!({ "from": FIRM_NUMBER, "to": CLIENT_PHONE, "text": "flaky", "messaging_profile_id": PROFILE, "type": "SMS" })))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .expect(1)
        .mount(&env.telnyx)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(accepted())
        .expect(1)
        .mount(&env.telnyx)
        .await;
    let channel = sms_channel(&env, firm).await;
    let (_, refused) = env.send(&ada, channel, "refused").await;
    let failed = once_status(&env, &ada, id_of(&refused), "FAILED").await;
    assert_eq!(
        failed["deliveryError"],
        "Telnyx answered 422: 40300 Blocked due to STOP message"
    );
    let (_, flaky) = env.send(&ada, channel, "flaky").await;
    once_status(&env, &ada, id_of(&flaky), "SENT").await;
}

#[tokio::test]
async fn what_cannot_be_sent_is_refused_or_failed_before_telnyx() {
    let env = spawn(With::default()).await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let channel = sms_channel(&env, firm).await;
    // No sending settings: FAILED at once, with the reason.
    let (status, m) = env.send(&ada, channel, "hello").await;
    assert_eq!(status, 201);
    assert_eq!(m["deliveryStatus"], "FAILED");
    assert!(
        m["deliveryError"]
            .as_str()
            .unwrap()
            .starts_with("TELNYX_NOT_CONFIGURED")
    );
    assert_eq!(env.outbox("message.delivery_updated").await.len(), 1);
    let (status, body) = send(
        env.req(Method::POST, "/api/v1/messages/", &ada)
            .json(&json!({
                "channelId": channel, "body": "ж".repeat(671), "attachments": [Uuid::now_v7()]
            })),
    )
    .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["body".to_owned(), "attachments".to_owned()])
    );
    let nobody = env
        .channels
        .add(firm.0, "CONTACT", Some(Uuid::now_v7()), "SMS", &[], &[]);
    let (status, body) = env.send(&ada, nobody, "hello").await;
    assert_eq!((status, fields(&body)), (422, vec!["channelId".to_owned()]));
    assert!(env.telnyx.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_number_an_sms_fails_with_the_reason() {
    let env = spawn(With {
        sending: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let (_, m) = env.send(&ada, sms_channel(&env, firm).await, "hello").await;
    assert_eq!(m["deliveryStatus"], "FAILED");
    assert!(
        m["deliveryError"]
            .as_str()
            .unwrap()
            .starts_with("NO_SMS_NUMBER")
    );
    assert_eq!(env.count("sms_dispatches", firm.0).await, 0);
}
