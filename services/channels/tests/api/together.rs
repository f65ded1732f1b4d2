//! The thread against the real messages service: a message sent through the
//! channel is written by messages as the caller, read back through the
//! channel, moves the channel's activity (`message.sent`), and stays out of
//! reach of those the channel is hidden from.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn app_with_messages() -> TestApp {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
        lawos_svc_channels::SPEC,
        lawos_svc_messages::SPEC,
    ])
    .await;
    ready(&app).await;
    app
}

fn at(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_message_sent_through_the_channel_is_the_callers_and_moves_activity() {
    let app = app_with_messages().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let paralegal = user(&app, firm, "PARALEGAL").await;
    let staff = user(&app, firm, "STAFF").await;
    let id = matter(&app, &lawyer, "Together").await;
    join(&app, &lawyer, id, &paralegal, "PARALEGAL").await;
    let (channel, _) = default_channel(&app, &lawyer, id, Duration::from_secs(5))
        .await
        .unwrap();
    let channel_id = id_of(&channel);
    let thread = format!("/api/v1/channels/{channel_id}/messages");

    let sent = send_ok(
        app.as_user(Method::POST, &thread, &lawyer)
            .json(&json!({ "body": "The hearing moved to Friday" })),
        201,
    )
    .await;
    assert_eq!(sent["channelId"], json!(channel_id));
    assert_eq!(sent["body"], "The hearing moved to Friday");
    let page = send_ok(app.as_user(Method::GET, &thread, &lawyer), 200).await;
    assert_eq!(page["data"][0]["id"], sent["id"]);
    // Messages' own rules come back as messages put them (an empty page size).
    let (got, _) = send(app.as_user(Method::GET, &format!("{thread}?limit=0"), &lawyer)).await;
    assert_eq!(got, 422);

    // message.sent moves the channel's last activity.
    let path = format!("/api/v1/channels/{channel_id}");
    let moved = soon(lawos_testkit::broker::PROPAGATE, || async {
        let now = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
        at(&now["lastActivityAt"]) > at(&now["createdAt"])
    })
    .await;
    assert!(moved, "message.sent did not move lastActivityAt");

    // The paralegal on the matter reads and writes the thread; STAFF off the
    // matter and another firm's lawyer find nothing.
    let reads = soon(lawos_testkit::broker::PROPAGATE, || async {
        status(&app, Method::GET, &thread, &paralegal).await == 200
    })
    .await;
    assert!(reads);
    send_ok(
        app.as_user(Method::POST, &thread, &paralegal)
            .json(&json!({ "body": "Noted, preparing the exhibits" })),
        201,
    )
    .await;
    let page = send_ok(app.as_user(Method::GET, &thread, &lawyer), 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        page["data"][0]["body"], "Noted, preparing the exhibits",
        "newest first"
    );
    assert_eq!(status(&app, Method::GET, &thread, &staff).await, 404);
    let other = user(&app, FirmId::new(), "LAWYER").await;
    assert_eq!(status(&app, Method::GET, &thread, &other).await, 404);
    let (got, _) = send(
        app.as_user(Method::POST, &thread, &other)
            .json(&json!({ "body": "hi" })),
    )
    .await;
    assert_eq!(got, 404);

    // An internal room: its participants talk in it, others do not see it.
    let room = internal_channel(&app, &paralegal, "Exhibits").await;
    let room_thread = format!("/api/v1/channels/{}/messages", id_of(&room));
    send_ok(
        app.as_user(Method::POST, &room_thread, &paralegal)
            .json(&json!({ "body": "Binder 3 is missing" })),
        201,
    )
    .await;
    let outsider = user(&app, firm, "PARALEGAL").await;
    assert_eq!(
        status(&app, Method::GET, &room_thread, &outsider).await,
        404
    );
    let mine = send_ok(app.as_user(Method::GET, &room_thread, &paralegal), 200).await;
    assert_eq!(mine["data"][0]["body"], "Binder 3 is missing");
}
