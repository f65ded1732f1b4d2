//! `POST /api/v1/channels/sms`: the messages service's find-or-create of SMS
//! channels, race-safe; and what a service token may read.

use futures_util::future::join_all;
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

async fn sms(app: &TestApp, firm: FirmId, body: Value) -> (u16, Value) {
    send(
        app.http
            .post(app.url("/api/v1/channels/sms"))
            .bearer_auth(service_token(app))
            .header("x-firm-id", firm.to_string())
            .json(&body),
    )
    .await
}

/// Ten calls at once: one creates (201), nine find (200), all the same channel.
async fn ten_at_once(app: &TestApp, firm: FirmId, body: Value) -> Value {
    let calls = (0..10).map(|_| sms(app, firm, body.clone()));
    let answers = join_all(calls).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let found = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, found), (1, 9), "{answers:?}");
    let first = answers[0].1["id"].clone();
    assert!(answers.iter().all(|(_, b)| b["id"] == first));
    answers[0].1.clone()
}

#[tokio::test]
async fn ten_concurrent_finds_give_one_channel_per_contact_and_one_intake() {
    let app = TestApp::spawn(&SPECS).await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let person = contact(&app, &lawyer, "Rosalind", "Franklin").await;

    let channel = ten_at_once(
        &app,
        firm,
        json!({ "contactId": person, "phone": "+15551239999" }),
    )
    .await;
    assert_eq!(channel["contextType"], "CONTACT");
    assert_eq!(channel["contextId"], json!(person));
    assert_eq!(channel["kind"], "SMS");
    assert_eq!(channel["isDefault"], true);
    assert_eq!(channel["title"], "SMS · Rosalind Franklin");
    assert_eq!(
        channel["participants"],
        json!([{ "id": channel["participants"][0]["id"], "type": "CONTACT", "userId": null,
                 "contactId": person, "phone": "+15551239999" }])
    );
    // The contact writes from another number: the same channel, replies go there.
    let (got, again) = sms(
        &app,
        firm,
        json!({ "contactId": person, "phone": "+15551238888" }),
    )
    .await;
    assert_eq!(got, 200);
    assert_eq!(again["id"], channel["id"]);
    assert_eq!(again["participants"][0]["phone"], "+15551238888");
    assert_eq!(again["participants"].as_array().unwrap().len(), 1);

    let intake = ten_at_once(
        &app,
        firm,
        json!({ "contactId": null, "phone": "+15550001111" }),
    )
    .await;
    assert_eq!(intake["contextType"], "INTERNAL");
    assert!(intake["contextId"].is_null());
    assert_eq!(intake["kind"], "SMS");
    assert_eq!(intake["title"], "SMS intake");
    let (got, same) = sms(&app, firm, json!({ "phone": "+15550002222" })).await;
    assert_eq!((got, &same["id"]), (200, &intake["id"]));
    // Another firm gets its own intake channel.
    let (got, theirs) = sms(&app, FirmId::new(), json!({ "phone": "+15550002222" })).await;
    assert_eq!(got, 201);
    assert_ne!(theirs["id"], intake["id"]);

    // The messages service reads any of the firm's channels with its token.
    let path = format!("/api/v1/channels/{}", id_of(&intake));
    let read = send_ok(
        app.http
            .get(app.url(&path))
            .bearer_auth(service_token(&app))
            .header("x-firm-id", firm.to_string()),
        200,
    )
    .await;
    assert_eq!(read["id"], intake["id"]);
    let (got, _) = send(
        app.http
            .get(app.url(&path))
            .bearer_auth(service_token(&app))
            .header("x-firm-id", FirmId::new().to_string()),
    )
    .await;
    assert_eq!(got, 404, "another firm's channel");
    // A lawyer reads the intake (firm-wide reach); a paralegal does not.
    assert_eq!(status(&app, Method::GET, &path, &lawyer).await, 200);
    let paralegal = user(&app, firm, "PARALEGAL").await;
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);
}

#[tokio::test]
async fn only_services_find_sms_channels_and_the_input_is_checked() {
    let app = TestApp::spawn(&SPECS).await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let (got, body) = send(
        app.as_user(Method::POST, "/api/v1/channels/sms", &lawyer)
            .json(&json!({ "contactId": null, "phone": "+15550001111" })),
    )
    .await;
    assert_eq!((got, code(&body)), (403, "PERMISSION_DENIED"));
    let (got, body) = sms(
        &app,
        firm,
        json!({ "contactId": null, "phone": "555-0101" }),
    )
    .await;
    assert_eq!((got, fields(&body)), (422, vec!["phone".to_owned()]));
    let (got, body) = sms(&app, firm, json!({ "contactId": null })).await;
    assert_eq!((got, fields(&body)), (422, vec!["phone".to_owned()]));
    let ghost = uuid::Uuid::now_v7();
    let (got, body) = sms(
        &app,
        firm,
        json!({ "contactId": ghost, "phone": "+15550001111" }),
    )
    .await;
    assert_eq!((got, fields(&body)), (422, vec!["contactId".to_owned()]));
    assert_eq!(
        list(&app, &lawyer, "").await["pagination"]["total"],
        0,
        "nothing half-written"
    );
}
