//! The must-show flows with the real channels service (rbac, contacts,
//! matters, channels and messages, events flowing): a matter's default
//! channel written through channels and read here, who may read it, search
//! with a snippet and behind a wall, the matter's timeline, a second firm;
//! SMS in and out on a contact's real SMS channel.

use std::time::Duration;

use lawos_core::FirmId;
use lawos_testkit::broker::eventually;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;
use crate::telnyx::{FIRM_NUMBER, deliver, inbound, now, register};

fn hits(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_matter_s_conversation_through_channels() {
    let env = spawn(With {
        real_channels: true,
        events: true,
        ..With::default()
    })
    .await;
    lawos_testkit::api::wait_for_queue(&env.app, "events.events").await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let ada = env.member(firm, "LAWYER").await;
    let pam = env.member(firm, "PARALEGAL").await;
    let sam = env.member(firm, "STAFF").await;
    let eve = env.member(other, "LAWYER").await;
    let matter = env.matter(&ada, "Doe v. Acme Logistics").await;
    let channel = env.default_channel(&ada, matter).await;
    let channel_id = channel["id"].as_str().unwrap().to_owned();

    // The paralegal joins the matter and reads its conversation; staff off the matter do not.
    send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/matters/{matter}/members"),
            &ada,
        )
        .json(&json!({ "userId": pam.user_id, "role": "PARALEGAL" })),
        201,
    )
    .await;
    let thread = format!("/api/v1/messages/?channel_id={channel_id}");
    assert!(
        eventually(lawos_testkit::broker::PROPAGATE, || async {
            send(env.req(Method::GET, &thread, &pam)).await.0 == 200
        })
        .await
    );

    let sent = send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/channels/{channel_id}/messages"),
            &ada,
        )
        .json(&json!({ "body": "The arbitration clause is unenforceable here." })),
        201,
    )
    .await;
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(sent["contextId"], matter.to_string());
    let page = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/channels/{channel_id}/messages"),
            &pam,
        ),
        200,
    )
    .await;
    assert_eq!(page["data"][0]["id"], id);
    assert_eq!(
        send_ok(env.req(Method::GET, &thread, &pam), 200).await["data"][0]["id"],
        id
    );
    for path in [thread.clone(), format!("/api/v1/messages/{id}")] {
        let (status, _) = send(env.req(Method::GET, &path, &sam)).await;
        assert_eq!(status, 404, "staff off the matter: {path}");
    }
    assert_eq!(
        hits(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=arbitration", &sam),
                200
            )
            .await
        )
        .len(),
        0
    );

    // Found by a word, ranked, with a snippet.
    let found = send_ok(
        env.req(
            Method::GET,
            "/api/v1/messages/search?q=arbitration%20clause",
            &pam,
        ),
        200,
    )
    .await;
    assert_eq!(found["data"][0]["id"], id);
    assert!(found["data"][0]["rank"].as_f64().unwrap() > 0.0);
    assert!(
        found["data"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>arbitration</mark>")
    );

    // message.sent in the matter's timeline.
    let timeline = format!("/api/v1/matters/{matter}/timeline");
    let shown = eventually(Duration::from_secs(10), || async {
        let page = send_ok(env.req(Method::GET, &timeline, &ada), 200).await;
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["event"]["type"] == "message.sent" && i["event"]["entity"]["id"] == id)
    })
    .await;
    assert!(shown, "message.sent is not in the matter's timeline");

    // A second firm: 404 on the channel, its messages, the message, a comment on the matter; nothing found.
    for path in [
        format!("/api/v1/channels/{channel_id}"),
        format!("/api/v1/channels/{channel_id}/messages"),
        thread.clone(),
        format!("/api/v1/messages/{id}"),
        format!("/api/v1/messages/comments/MATTER/{matter}"),
    ] {
        let (status, body) = send(env.req(Method::GET, &path, &eve)).await;
        assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{path}");
    }
    let (status, _) = send(
        env.req(
            Method::POST,
            &format!("/api/v1/messages/comments/MATTER/{matter}"),
            &eve,
        )
        .json(&json!({ "body": "x" })),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        send_ok(
            env.req(Method::GET, "/api/v1/messages/search?q=arbitration", &eve),
            200
        )
        .await["data"],
        json!([])
    );
}

#[tokio::test]
async fn a_wall_keeps_a_matter_s_messages_out_of_search() {
    let env = spawn(With {
        real_channels: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let (ada, bob) = (
        env.member(firm, "LAWYER").await,
        env.member(firm, "LAWYER").await,
    );
    let walled = env.matter(&bob, "Conflicted: Beta Corp acquisition").await;
    let open = env.matter(&bob, "Gamma Corp acquisition").await;
    for (matter, body) in [
        (walled, "due diligence on the Beta escrow"),
        (open, "due diligence on the Gamma escrow"),
    ] {
        let channel = env.default_channel(&bob, matter).await;
        assert_eq!(
            env.send(&bob, channel["id"].as_str().unwrap().parse().unwrap(), body)
                .await
                .0,
            201
        );
    }
    assert_eq!(
        hits(
            &send_ok(
                env.req(Method::GET, "/api/v1/messages/search?q=escrow", &ada),
                200
            )
            .await
        )
        .len(),
        2
    );
    env.wall(firm, walled, &ada).await;
    let found = hits(
        &send_ok(
            env.req(Method::GET, "/api/v1/messages/search?q=escrow", &ada),
            200,
        )
        .await,
    );
    assert_eq!(found, ["due diligence on the Gamma escrow"]);
    let (status, _) = send(env.req(
        Method::GET,
        &format!("/api/v1/messages/?context_type=MATTER&context_id={walled}"),
        &ada,
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn sms_in_and_out_on_a_contact_s_real_channel() {
    let env = spawn(With {
        real_channels: true,
        sending: true,
        webhook: true,
        ..With::default()
    })
    .await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    register(&env, firm, FIRM_NUMBER).await;
    let contact = id_of(&send_ok(env.req(Method::POST, "/api/v1/contacts/", &ada).json(&json!({
        "kind": "PERSON", "givenName": "Li", "familyName": "Wei", "phones": [{ "number": "+15550107777" }]
    })), 201).await);

    let event = inbound(
        "evt-real-1",
        "+15550107777",
        FIRM_NUMBER,
        "Can we move the meeting?",
    );
    assert_eq!(
        send_ok(deliver(&env, &event, now(), &TELNYX_SECRET), 200).await["status"],
        "STORED"
    );
    assert_eq!(
        send_ok(deliver(&env, &event, now(), &TELNYX_SECRET), 200).await["status"],
        "DUPLICATE"
    );
    let listed = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/channels/?context_type=CONTACT&context_id={contact}"),
            &ada,
        ),
        200,
    )
    .await;
    let channel = &listed["data"][0];
    assert_eq!(channel["kind"], "SMS");
    let channel_id = channel["id"].as_str().unwrap().to_owned();
    let thread = send_ok(
        env.req(
            Method::GET,
            &format!("/api/v1/channels/{channel_id}/messages"),
            &ada,
        ),
        200,
    )
    .await;
    assert_eq!(
        thread["data"].as_array().unwrap().len(),
        1,
        "one message for the event delivered twice"
    );
    assert_eq!(thread["data"][0]["direction"], "INBOUND");
    assert_eq!(thread["data"][0]["senderContactId"], contact.to_string());

    // The reply goes out to the contact's number through Telnyx.
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_partial_json(json!({ "from": FIRM_NUMBER, "to": "+15550107777", "text": "Yes — Thursday at 3?", "messaging_profile_id": PROFILE })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "id": "telnyx-msg-9", "to": [{ "phone_number": "+15550107777", "status": "queued" }] } })))
        .expect(1)
        .mount(&env.telnyx)
        .await;
    let reply = send_ok(
        env.req(
            Method::POST,
            &format!("/api/v1/channels/{channel_id}/messages"),
            &ada,
        )
        .json(&json!({ "body": "Yes — Thursday at 3?" })),
        201,
    )
    .await;
    let id = Uuid::parse_str(reply["id"].as_str().unwrap()).unwrap();
    let sent = eventually(Duration::from_secs(10), || async {
        let m = send_ok(
            env.req(Method::GET, &format!("/api/v1/messages/{id}"), &ada),
            200,
        )
        .await;
        m["deliveryStatus"] == "SENT" && m["providerMessageId"] == "telnyx-msg-9"
    })
    .await;
    assert!(sent, "the reply never became SENT");
}
