//! The membership projection over the real broker: a `matter.member_added`
//! envelope published with lapin onto `lawos.events` in the test's vhost reaches
//! the rbac consumer worker; capabilities then list the matter, and
//! `matter.member_removed` takes it away again.

mod common;

use std::time::Duration;

use common::{assign, capabilities, ids, permission_changes};
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use lawos_core::FirmId;
use lawos_events::{EXCHANGE, EntityRef, EventEnvelope, declare_consumer_topology};
use lawos_testkit::TestUser;
use lawos_testkit::broker::eventually;
use serde_json::json;
use uuid::Uuid;

#[allow(clippy::unwrap_used)] // a helper outside #[test]
async fn publish(url: &str, event: &EventEnvelope) {
    let conn = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    // The same topology the consumer declares, so the message waits in the
    // queue even if the worker has not connected yet.
    let bindings: Vec<String> = lawos_svc_rbac::membership::BINDINGS
        .map(String::from)
        .to_vec();
    declare_consumer_topology(&channel, EXCHANGE, "rbac", &bindings, 5)
        .await
        .unwrap();
    channel
        .basic_publish(
            EXCHANGE.into(),
            event.event_type.as_str().into(),
            BasicPublishOptions::default(),
            &serde_json::to_vec(event).unwrap(),
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    let _ = conn.close(0, "done".into()).await;
}

#[tokio::test]
async fn matter_member_events_feed_capabilities_through_the_broker() {
    let app = lawos_testkit::TestApp::spawn_with_events(&[lawos_svc_rbac::SPEC]).await;
    let url = app.vhost.as_ref().unwrap().amqp_url();
    let firm = FirmId::new();
    let partner = TestUser::member(firm, "PARTNER_ATTORNEY");
    assign(&app, firm, partner.user_id, "PARTNER_ATTORNEY").await;
    let matter = Uuid::now_v7();
    let ends = chrono::Utc::now() + chrono::Duration::days(30);

    let added = EventEnvelope::builder("matter.member_added", EntityRef::new("matter", matter))
        .firm(firm.0)
        .data(
            json!({ "matterId": matter, "userId": partner.user_id, "role": "CO_COUNSEL",
                      "startsAt": null, "endsAt": ends }),
        )
        .build();
    publish(&url, &added).await;
    // Redelivered (same id): applied once.
    publish(&url, &added).await;
    let seen = eventually(Duration::from_secs(10), || async {
        capabilities(&app, firm, &partner).await["matterIds"] == json!([matter])
    })
    .await;
    assert!(seen, "the consumer applied matter.member_added");
    let caps = capabilities(&app, firm, &partner).await;
    assert!(
        caps["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reach"] == "ASSIGNED")
    );
    let valid_until: chrono::DateTime<chrono::Utc> =
        caps["validUntil"].as_str().unwrap().parse().unwrap();
    assert!(
        (valid_until - ends).num_milliseconds().abs() < 1,
        "bounded by the membership's end"
    );

    let removed = EventEnvelope::builder("matter.member_removed", EntityRef::new("matter", matter))
        .firm(firm.0)
        .data(json!({ "matterId": matter, "userId": partner.user_id }))
        .build();
    publish(&url, &removed).await;
    let gone = eventually(Duration::from_secs(10), || async {
        capabilities(&app, firm, &partner).await["matterIds"] == json!([])
    })
    .await;
    assert!(gone, "the consumer applied matter.member_removed");

    let reasons: Vec<String> = permission_changes(&app)
        .await
        .iter()
        .filter(|e| ids(&e["data"]["userIds"]) == [partner.user_id.to_string()])
        .map(|e| e["data"]["reason"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        reasons,
        [
            "role_assignment.created",
            "matter.member_added",
            "matter.member_removed"
        ]
    );
    // The relay publishes them: the outbox drains.
    let drained = eventually(Duration::from_secs(10), || async {
        common::count(
            &app,
            "select count(*) as n from rbac.outbox where published_at is null",
        )
        .await
            == 0
    })
    .await;
    assert!(drained, "the outbox drains");
}
