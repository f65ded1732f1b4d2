//! Parties (`/{id}/contacts`) and budgets (`/{id}/budgets`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn parties_are_added_listed_and_removed() {
    let app = app_with_contacts().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let staff = assign(&app, firm, "STAFF").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Parties")).await);
    let parties = format!("/api/v1/matters/{id}/contacts");
    let contact = contact_of(&app, &lawyer, "Wile", "Coyote").await;
    // A contact unknown to contacts (or another firm's) is refused, naming it.
    let unknown = send_ok(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "contactId": Uuid::now_v7(), "role": "WITNESS" })),
        422,
    )
    .await;
    assert_eq!(fields(&unknown), ["contactId"]);
    let theirs = contact_of(&app, &stranger, "Road", "Runner").await;
    let unknown = send_ok(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "contactId": theirs, "role": "WITNESS" })),
        422,
    )
    .await;
    assert_eq!(fields(&unknown), ["contactId"]);
    let party = send_ok(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "contactId": contact, "role": "opposing_party", "notes": "Defendant" })),
        201,
    )
    .await;
    assert_eq!(party["role"], "OPPOSING_PARTY");
    // The same contact in the same role twice: 409; in another role: fine.
    let (dup, body) = send(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "contactId": contact, "role": "OPPOSING_PARTY" })),
    )
    .await;
    assert_eq!(
        (dup, body["error"]["details"]["field"].as_str()),
        (409, Some("contactId"))
    );
    send_ok(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "contactId": contact, "role": "WITNESS" })),
        201,
    )
    .await;
    let body = send_ok(
        app.as_user(Method::POST, &parties, &lawyer)
            .json(&json!({ "role": "JUDGE" })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["contactId", "role"]);
    // STAFF sees the parties of a matter once it is on it, and may not add any.
    assert_eq!(status(&app, Method::GET, &parties, &staff).await, 404);
    join(&app, &lawyer, id, &staff, "STAFF").await;
    let listed = send_ok(app.as_user(Method::GET, &parties, &staff), 200).await;
    assert_eq!(listed["pagination"]["total"], 2);
    // The matters a contact is a party to (what a conflict check asks).
    create(&app, &lawyer, matter_body("Unrelated")).await;
    let theirs = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/matters/?contact_id={contact}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(theirs["pagination"]["total"], 1);
    assert_eq!(theirs["data"][0]["id"], json!(id));
    let (refused, _) = send(
        app.as_user(Method::POST, &parties, &staff)
            .json(&json!({ "contactId": contact, "role": "OTHER" })),
    )
    .await;
    assert_eq!(refused, 403);
    let one = format!("{parties}/{}", party["id"].as_str().unwrap());
    for (method, path) in [
        (Method::GET, &parties),
        (Method::POST, &parties),
        (Method::DELETE, &one),
    ] {
        let request = app
            .as_user(method.clone(), path, &stranger)
            .json(&json!({ "contactId": contact, "role": "OTHER" }));
        assert_eq!(send(request).await.0, 404, "{method} {path}");
    }
    send_ok(app.as_user(Method::DELETE, &one, &lawyer), 204).await;
    assert_eq!(status(&app, Method::DELETE, &one, &lawyer).await, 404);
    let listed = send_ok(app.as_user(Method::GET, &parties, &lawyer), 200).await;
    assert_eq!(listed["data"][0]["role"], "WITNESS");
    let kinds: Vec<String> = outbox(&app, party["id"].as_str().unwrap().parse().unwrap())
        .await
        .into_iter()
        .map(|r| r.event_type)
        .collect();
    assert_eq!(kinds, ["matter_contact.created", "matter_contact.deleted"]);
}

#[tokio::test]
async fn budgets_are_minor_units_with_a_currency() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Budgeted")).await);
    let budgets = format!("/api/v1/matters/{id}/budgets");
    let budget = send_ok(
        app.as_user(Method::POST, &budgets, &lawyer).json(&json!({
            "amountMinor": 2_500_000, "currency": "usd",
            "periodStart": "2026-01-01", "periodEnd": "2026-12-31"
        })),
        201,
    )
    .await;
    assert_eq!(
        (budget["amountMinor"].as_i64(), budget["currency"].as_str()),
        (Some(2_500_000), Some("USD"))
    );
    let body = send_ok(
        app.as_user(Method::POST, &budgets, &lawyer).json(&json!({
            "amountMinor": -1, "currency": "dollars",
            "periodStart": "2026-02-01", "periodEnd": "2026-01-01"
        })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["amountMinor", "currency", "periodEnd"]);
    assert_eq!(
        send_ok(app.as_user(Method::GET, &budgets, &lawyer), 200).await["pagination"]["total"],
        1
    );
    assert_eq!(status(&app, Method::GET, &budgets, &stranger).await, 404);
    let one = format!("{budgets}/{}", budget["id"].as_str().unwrap());
    assert_eq!(status(&app, Method::DELETE, &one, &stranger).await, 404);
    // A closed matter's budgets are read-only.
    set_stage(&app, &lawyer, id, "CLOSED").await;
    let body = send_ok(app.as_user(Method::DELETE, &one, &lawyer), 400).await;
    assert_eq!(code(&body), "CASE_ALREADY_CLOSED");
    set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
    send_ok(app.as_user(Method::DELETE, &one, &lawyer), 204).await;
    assert_eq!(
        send_ok(app.as_user(Method::GET, &budgets, &lawyer), 200).await["pagination"]["total"],
        0
    );
}
