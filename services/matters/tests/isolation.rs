//! Another firm sees nothing: 404 on every by-id route, empty lists. A matter's
//! audit trail comes from the events service after the same check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn another_firms_lawyer_gets_404_on_every_route_and_empty_lists() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Ours")).await);
    let m = format!("/api/v1/matters/{id}");
    let routes = [
        (Method::GET, m.clone(), json!(null)),
        (Method::PATCH, m.clone(), json!({ "title": "Theirs" })),
        (
            Method::PUT,
            m.clone(),
            json!({ "title": "Theirs", "matterType": "CIVIL" }),
        ),
        (Method::DELETE, m.clone(), json!(null)),
        (
            Method::PUT,
            format!("{m}/stage"),
            json!({ "stage": "CLOSED" }),
        ),
        (Method::PUT, format!("{m}/archive"), json!(null)),
        (Method::PUT, format!("{m}/restore"), json!(null)),
        (Method::GET, format!("{m}/events"), json!(null)),
        (Method::GET, format!("{m}/members"), json!(null)),
        (
            Method::POST,
            format!("{m}/members"),
            json!({ "userId": stranger.user_id, "role": "ASSOCIATE" }),
        ),
        (
            Method::DELETE,
            format!("{m}/members/{}", lawyer.user_id),
            json!(null),
        ),
        (Method::GET, format!("{m}/timeline"), json!(null)),
        (Method::GET, format!("{m}/notes"), json!(null)),
        (Method::POST, format!("{m}/notes"), json!({ "body": "x" })),
        (Method::GET, format!("{m}/contacts"), json!(null)),
        (
            Method::POST,
            format!("{m}/contacts"),
            json!({ "contactId": uuid::Uuid::now_v7(), "role": "OTHER" }),
        ),
        (Method::GET, format!("{m}/budgets"), json!(null)),
        (
            Method::POST,
            format!("{m}/budgets"),
            json!({ "amountMinor": 1, "currency": "USD" }),
        ),
    ];
    for (method, path, body) in routes {
        let mut request = app.as_user(method.clone(), &path, &stranger);
        if !body.is_null() {
            request = request.json(&body);
        }
        let (status, body) = send(request).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(code(&body), "RESOURCE_NOT_FOUND");
    }
    let list = send_ok(app.as_user(Method::GET, "/api/v1/matters/", &stranger), 200).await;
    assert_eq!(list["data"], json!([]));
    assert_eq!(list["pagination"]["total"], 0);
    // Naming the firm does not help: X-Firm-Id is for administrators and services.
    let (denied, _) = send(
        app.as_user(Method::GET, &m, &stranger)
            .header("x-firm-id", firm.to_string()),
    )
    .await;
    assert_eq!(denied, 403);
    // Untouched.
    let ours = send_ok(app.as_user(Method::GET, &m, &lawyer), 200).await;
    assert_eq!(ours["title"], "Ours");
}

#[tokio::test]
async fn the_audit_trail_shows_creation_and_stage_changes() {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_matters::SPEC,
    ])
    .await;
    wait_for_queue(&app, "events.events").await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Audited")).await);
    let (moved, _) = set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
    assert_eq!(moved, 200);
    let path = format!("/api/v1/matters/{id}/events");
    let complete = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        let (status, body) = send(app.as_user(Method::GET, &path, &lawyer)).await;
        let types: Vec<String> = body["data"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["type"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        status == 200
            && types.iter().any(|t| t == "matter.created")
            && types.iter().any(|t| t == "matter.stage_changed")
    })
    .await;
    let (_, last) = send(app.as_user(Method::GET, &path, &lawyer)).await;
    assert!(
        complete,
        "the audit trail lacks matter.created or matter.stage_changed: {last}"
    );
}
