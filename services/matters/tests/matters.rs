//! Matters: create, read, edit, delete; validation, If-Match, roles, clientId.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_lawyer_creates_reads_edits_and_deletes_a_matter() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let res = app
        .as_user(Method::POST, "/api/v1/matters/", &lawyer)
        .json(&json!({
            "title": "Smith v. Johnson", "description": "Rear-end collision",
            "matterType": "CIVIL", "practiceArea": "Personal Injury"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: serde_json::Value = res.json().await.unwrap();
    let id = id_of(&created);
    assert_eq!(location, format!("/api/v1/matters/{id}"));
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(created["matterNumber"], format!("{year}-00001"));
    assert_eq!(created["stage"], "OPEN");
    assert!(created["openedAt"].is_string() && created["closedAt"].is_null());
    assert_eq!(created["createdBy"], json!(lawyer.user_id));
    assert!(created.get("deletedAt").is_none());

    let path = format!("/api/v1/matters/{id}");
    let got = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(got, created);

    // PATCH with a stale If-Match is 412; with the current one it applies.
    let (code412, body) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", "\"stale\"")
            .json(&json!({ "title": "Smith v. Jones" })),
    )
    .await;
    assert_eq!((code412, code(&body)), (412, "PRECONDITION_FAILED"));
    let patched = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", &etag)
            .json(&json!({ "title": "Smith v. Jones", "description": null })),
        200,
    )
    .await;
    assert_eq!(patched["title"], "Smith v. Jones");
    assert!(patched["description"].is_null());
    assert_eq!(patched["practiceArea"], "Personal Injury");

    // PUT replaces the data: absent optional fields are cleared.
    let put = send_ok(
        app.as_user(Method::PUT, &path, &lawyer)
            .json(&json!({ "title": "Smith v. Jones (2)", "matterType": "FAMILY" })),
        200,
    )
    .await;
    assert_eq!(put["matterType"], "FAMILY");
    assert!(put["practiceArea"].is_null());
    assert_eq!(put["matterNumber"], created["matterNumber"]);

    send_ok(app.as_user(Method::DELETE, &path, &lawyer), 204).await;
    assert_eq!(status(&app, Method::GET, &path, &lawyer).await, 404);
    let kinds: Vec<String> = outbox(&app, id)
        .await
        .into_iter()
        .map(|r| r.event_type)
        .collect();
    assert_eq!(kinds.first().map(String::as_str), Some("matter.created"));
    assert_eq!(kinds.last().map(String::as_str), Some("matter.deleted"));
}

#[tokio::test]
async fn bad_input_names_every_field_in_one_422() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let body = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&json!({
                "title": "", "matterType": "MARITIME", "stage": "CLOSED",
                "practiceArea": "x".repeat(101), "description": "d".repeat(10_001)
            })),
        422,
    )
    .await;
    assert_eq!(code(&body), "VALIDATION_ERROR");
    assert_eq!(
        fields(&body),
        [
            "title",
            "description",
            "matterType",
            "practiceArea",
            "stage"
        ]
    );
    // An unknown field is refused, not ignored.
    let (status_unknown, _) = send(
        app.as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&json!({ "title": "t", "matterType": "CIVIL", "caseColour": "red" })),
    )
    .await;
    assert_eq!(status_unknown, 422);
    let id = id_of(&create(&app, &lawyer, matter_body("Edit me")).await);
    let body = send_ok(
        app.as_user(Method::PATCH, &format!("/api/v1/matters/{id}"), &lawyer)
            .json(&json!({ "title": " ", "matterType": "SPACE" })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["title", "matterType"]);
    let body = send_ok(
        app.as_user(Method::PATCH, &format!("/api/v1/matters/{id}"), &lawyer)
            .json(&json!({})),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["body"]);
}

#[tokio::test]
async fn roles_without_the_scope_are_refused() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let staff = assign(&app, firm, "STAFF").await;
    let client = assign(&app, firm, "CLIENT").await;
    let admin = assign(&app, firm, "FIRM_ADMIN").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Refusals")).await);
    let path = format!("/api/v1/matters/{id}");

    // STAFF sees only the matters it is assigned to: 404 before, then it reads
    // but may not change it: visible, so 403.
    assert_eq!(status(&app, Method::GET, &path, &staff).await, 404);
    join(&app, &lawyer, id, &staff, "STAFF").await;
    let (code403, body) = send(
        app.as_user(Method::PATCH, &path, &staff)
            .json(&json!({ "title": "Mine now" })),
    )
    .await;
    assert_eq!((code403, code(&body)), (403, "PERMISSION_DENIED"));
    assert_eq!(
        body["error"]["details"]["requiredScopes"],
        json!(["matters:update"])
    );
    assert_eq!(status(&app, Method::DELETE, &path, &staff).await, 403);
    let (staff_create, _) = send(
        app.as_user(Method::POST, "/api/v1/matters/", &staff)
            .json(&matter_body("Nope")),
    )
    .await;
    assert_eq!(staff_create, 403);
    // The firm's administrator reads the User API only.
    assert_eq!(status(&app, Method::DELETE, &path, &admin).await, 403);

    // A CLIENT (portal) user has no matters:read: listing is 403, a matter 404.
    let (list_code, body) = send(app.as_user(Method::GET, "/api/v1/matters/", &client)).await;
    assert_eq!(
        (list_code, code(&body)),
        (403, "PERMISSION_DENIED"),
        "{body}"
    );
    assert_eq!(status(&app, Method::GET, &path, &client).await, 404);
    // No token at all.
    let res = app
        .http
        .get(app.url("/api/v1/matters/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test]
async fn an_unknown_client_is_a_422_naming_client_id() {
    // The test app does not mount contacts' clients routes: every client is unknown (404).
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let mut body = matter_body("With a client");
    body["clientId"] = json!(uuid::Uuid::now_v7());
    let res = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&body),
        422,
    )
    .await;
    assert_eq!(fields(&res), ["clientId"]);
    let id = id_of(&create(&app, &lawyer, matter_body("Later a client")).await);
    let res = send_ok(
        app.as_user(Method::PATCH, &format!("/api/v1/matters/{id}"), &lawyer)
            .json(&json!({ "clientId": uuid::Uuid::now_v7() })),
        422,
    )
    .await;
    assert_eq!(fields(&res), ["clientId"]);
    // Clearing the client needs no check.
    send_ok(
        app.as_user(Method::PATCH, &format!("/api/v1/matters/{id}"), &lawyer)
            .json(&json!({ "clientId": null })),
        200,
    )
    .await;
}

#[tokio::test]
async fn contacts_down_is_a_503_and_nothing_is_written() {
    let app = TestApp::spawn_with(&[lawos_svc_rbac::SPEC, lawos_svc_matters::SPEC], |c| {
        c.contacts_url = "http://127.0.0.1:9".to_owned();
    })
    .await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let mut body = matter_body("Contacts down");
    body["clientId"] = json!(uuid::Uuid::now_v7());
    let res = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&body),
        503,
    )
    .await;
    assert_eq!(code(&res), "SERVICE_UNAVAILABLE");
    // No number was used up: the next matter is still the first.
    let created = create(&app, &lawyer, matter_body("No client")).await;
    assert!(
        created["matterNumber"]
            .as_str()
            .unwrap()
            .ends_with("-00001")
    );
}
