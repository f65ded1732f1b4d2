//! The WebSocket: two instances, refused upgrades, closing at token expiry
//! and at deactivation, tickets.

use std::time::Duration;

use lawos_events::{EntityRef, EventEnvelope};
use lawos_testkit::api::{code, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::{self, ws};

#[tokio::test]
async fn two_sessions_of_one_user_on_two_instances_both_receive_it() {
    let app = common::app().await;
    let replica = app.replica(&[lawos_svc_notifications::SPEC]).await;
    let other = lawos_svc_notifications::NotifyState::shared(&replica.envs[0]);
    assert!(
        lawos_testkit::broker::eventually(common::SETTLE, || async {
            other.live.subscriptions() >= 1
        })
        .await
    );
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
    let token = app.token(lawyer);
    let mut here = ws::open_ready(&app.base_url, &token).await;
    let mut there = ws::open_ready(&replica.base_url, &token).await;
    assert_eq!(common::state(&app).live.hub.len(), 1);
    assert_eq!(other.live.hub.len(), 1);

    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    let a = ws::next_notice(&mut here, "matter.stage_changed", Duration::from_secs(2))
        .await
        .expect("instance one");
    let b = ws::next_notice(&mut there, "matter.stage_changed", Duration::from_secs(2))
        .await
        .expect("instance two");
    assert_eq!(a["notification"]["id"], b["notification"]["id"]);

    // A read on one instance updates the count on the other.
    let id = a["notification"]["id"].as_str().unwrap();
    send_ok(
        reqwest::Client::new()
            .post(replica.url(&format!("/api/v1/notifications/{id}/read")))
            .bearer_auth(&token),
        200,
    )
    .await;
    let count = ws::next_of(&mut here, "unread_count", Duration::from_secs(2))
        .await
        .unwrap();
    assert!(count["unreadCount"].is_i64());
}

#[tokio::test]
async fn a_bad_expired_or_missing_token_or_a_used_ticket_cannot_open_a_socket() {
    let app = common::app().await;
    let t = common::team(&app, &[]).await;
    let (status, body) = ws::refusal(ws::open(&app.base_url, "not-a-token").await.unwrap_err());
    assert_eq!((status, code(&body)), (401, "AUTH_TOKEN_INVALID"), "{body}");

    let mut claims = app.issuer.claims(&t.actor);
    claims.exp = chrono::Utc::now().timestamp() - 120;
    let expired = app.issuer.signer.sign(&claims).unwrap();
    let (status, body) = ws::refusal(ws::open(&app.base_url, &expired).await.unwrap_err());
    assert_eq!((status, code(&body)), (401, "AUTH_TOKEN_EXPIRED"), "{body}");
    assert!(body["error"]["requestId"].is_string());

    let (status, body) = ws::refusal(ws::open_with_ticket(&app.base_url, "").await.unwrap_err());
    assert_eq!(status, 401, "{body}");
    let url = format!(
        "{}/api/v1/notifications/ws",
        app.base_url.replacen("http://", "ws://", 1)
    );
    let (status, body) = ws::refusal(tokio_tungstenite::connect_async(url).await.unwrap_err());
    assert_eq!((status, code(&body)), (401, "AUTH_TOKEN_MISSING"));

    // A ticket works once.
    let ticket = send_ok(
        app.as_user(Method::POST, "/api/v1/notifications/ws-ticket", &t.actor),
        201,
    )
    .await;
    let ticket = ticket["ticket"].as_str().unwrap();
    let mut socket = ws::open_with_ticket(&app.base_url, ticket).await.unwrap();
    assert_eq!(
        ws::next_json(&mut socket, Duration::from_secs(5))
            .await
            .unwrap()["type"],
        "hello"
    );
    let (status, body) = ws::refusal(
        ws::open_with_ticket(&app.base_url, ticket)
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code(&body)), (401, "AUTH_TOKEN_INVALID"));

    // A client (no notifications:read) is refused too.
    let client = lawos_testkit::api::assign(&app, t.firm, "CLIENT").await;
    let (status, body) = ws::refusal(
        ws::open(&app.base_url, &app.token(&client))
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
}

#[tokio::test]
async fn the_socket_closes_when_its_token_expires_and_when_its_user_is_deactivated() {
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER"]).await;
    let mut claims = app.issuer.claims(&t.actor);
    claims.exp = chrono::Utc::now().timestamp() + 3;
    let short = app.issuer.signer.sign(&claims).unwrap();
    let mut socket = ws::open_ready(&app.base_url, &short).await;
    let reason = ws::closed_with(&mut socket, Duration::from_secs(6)).await;
    assert_eq!(reason.as_deref(), Some("AUTH_TOKEN_EXPIRED"));

    let member = &t.members[0];
    let mut socket = ws::open_ready(&app.base_url, &app.token(member)).await;
    let id = member.user_id.0;
    let deactivated = EventEnvelope::builder("firm_user_profile.updated", EntityRef::new("firm_user_profile", id))
        .firm(t.firm.0)
        .data(json!({ "firm_id": t.firm, "user_id": id, "role": "LAWYER", "phone": null, "is_active": false, "deleted_at": null }))
        .build();
    common::publish(&app, &deactivated).await;
    let reason = ws::closed_with(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(reason.as_deref(), Some("USER_DEACTIVATED"));
    let (status, body) = ws::refusal(
        ws::open(&app.base_url, &app.token(member))
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
}
