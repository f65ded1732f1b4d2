//! A matter's team, and the access it gives through rbac's projection:
//! `matter.member_added` → rbac → `permission.changed` → matters' cache dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::broker::PROPAGATE;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_added_paralegal_sees_the_matter_and_loses_it_when_removed() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Team work")).await);
    let path = format!("/api/v1/matters/{id}");
    // Asked once before: the refusal is cached until an event drops it.
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);

    let added = send_ok(
        app.as_user(Method::POST, &format!("{path}/members"), &lawyer)
            .json(&json!({ "userId": paralegal.user_id, "role": "paralegal" })),
        201,
    )
    .await;
    assert_eq!(added["role"], "PARALEGAL");
    let seen = time_until(&app, &path, &paralegal, 200, PROPAGATE).await;
    assert!(seen.is_some(), "the new member did not see the matter");
    let event = outbox(&app, id)
        .await
        .into_iter()
        .find(|r| r.event_type == "matter.member_added")
        .unwrap();
    assert_eq!(
        event.payload["data"],
        json!({
            "matterId": id, "userId": paralegal.user_id, "role": "PARALEGAL",
            "startsAt": added["startsAt"], "endsAt": null
        })
    );
    assert_eq!(
        event.payload["entity"],
        json!({ "type": "matter", "id": id })
    );

    // Already on the team: 409.
    let (dup, _) = send(
        app.as_user(Method::POST, &format!("{path}/members"), &lawyer)
            .json(&json!({ "userId": paralegal.user_id, "role": "ASSOCIATE" })),
    )
    .await;
    assert_eq!(dup, 409);
    let team = send_ok(
        app.as_user(Method::GET, &format!("{path}/members"), &paralegal),
        200,
    )
    .await;
    assert_eq!(team["pagination"]["total"], 1);
    assert_eq!(team["data"][0]["userId"], json!(paralegal.user_id));

    let remove = format!("{path}/members/{}", paralegal.user_id);
    send_ok(app.as_user(Method::DELETE, &remove, &lawyer), 204).await;
    let gone = time_until(&app, &path, &paralegal, 404, PROPAGATE).await;
    assert!(gone.is_some(), "the removed member still saw the matter");
    let removed = outbox(&app, id).await.pop().unwrap();
    assert_eq!(removed.event_type, "matter.member_removed");
    assert_eq!(removed.payload["data"]["userId"], json!(paralegal.user_id));
    // Not on the team any more: 404.
    assert_eq!(status(&app, Method::DELETE, &remove, &lawyer).await, 404);
    let team = send_ok(
        app.as_user(Method::GET, &format!("{path}/members"), &lawyer),
        200,
    )
    .await;
    assert_eq!(team["pagination"]["total"], 0);
    assert!(
        outbox_drains(&app).await,
        "the relay left events in the outbox"
    );
}

#[tokio::test]
async fn member_input_is_validated_and_staff_may_not_change_the_team() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let staff = assign(&app, firm, "STAFF").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Team rules")).await);
    let members = format!("/api/v1/matters/{id}/members");
    let body = send_ok(
        app.as_user(Method::POST, &members, &lawyer).json(&json!({
            "role": "JUDGE", "startsAt": "2026-03-01T00:00:00Z", "endsAt": "2026-02-01T00:00:00Z"
        })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["userId", "role", "endsAt"]);
    // Off the matter, STAFF does not see it at all: 404.
    let (hidden, _) = send(
        app.as_user(Method::POST, &members, &staff)
            .json(&json!({ "userId": staff.user_id, "role": "STAFF" })),
    )
    .await;
    assert_eq!(hidden, 404);
    // A membership that ends gives access only until then.
    let ends = chrono::Utc::now() + chrono::Duration::days(30);
    let added = send_ok(
        app.as_user(Method::POST, &members, &lawyer)
            .json(&json!({ "userId": staff.user_id, "role": "STAFF", "endsAt": ends })),
        201,
    )
    .await;
    assert!(added["endsAt"].is_string());
    let path = format!("/api/v1/matters/{id}");
    let visible = time_until(&app, &path, &staff, 200, PROPAGATE).await;
    assert!(visible.is_some(), "the STAFF member never saw the matter");
    // On it, STAFF reads the team but may not change it: 403.
    let (refused, body) = send(
        app.as_user(Method::POST, &members, &staff)
            .json(&json!({ "userId": lawyer.user_id, "role": "ASSOCIATE" })),
    )
    .await;
    assert_eq!((refused, code(&body)), (403, "PERMISSION_DENIED"));
}
