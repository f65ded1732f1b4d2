//! A message sent in a matter's channel appears in the matter's timeline
//! (matters reads the related history of the events service): `message.sent`
//! is filed under the matter.

use std::time::Duration;

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn a_sent_message_shows_in_the_matter_s_timeline() {
    let env = spawn(With {
        matters: true,
        events: true,
        ..With::default()
    })
    .await;
    lawos_testkit::api::wait_for_queue(&env.app, "events.events").await;
    let firm = FirmId::new();
    let ada = env.member(firm, "LAWYER").await;
    let matter = env.matter(&ada, "Smith v. Jones").await;
    let channel = env.channels.add(
        firm.0,
        "MATTER",
        Some(matter),
        "INTERNAL",
        &[ada.user_id.0],
        &[],
    );
    let (status, m) = env.send(&ada, channel, "Filed the complaint today.").await;
    assert_eq!(status, 201, "{m}");
    let id = m["id"].as_str().unwrap().to_owned();

    let path = format!("/api/v1/matters/{matter}/timeline");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let found: Value = loop {
        let page = send_ok(env.req(Method::GET, &path, &ada), 200).await;
        let item = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["event"]["type"] == "message.sent")
            .cloned();
        if let Some(item) = item {
            break item;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "message.sent never reached the matter's timeline: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let event = &found["event"];
    assert_eq!(event["entity"]["type"], "message");
    assert_eq!(event["entity"]["id"], id);
    assert_eq!(event["envelope"]["data"]["channelId"], channel.to_string());
    assert_eq!(event["envelope"]["data"]["contextId"], matter.to_string());
    assert!(event["envelope"]["data"].get("body").is_none());
    assert!(lawos_testkit::api::outbox_drains(&env.app, "messages").await);
}
