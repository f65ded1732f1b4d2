//! `POST /api/v1/contacts/intake`: the service-only find-or-create of lead
//! intake, by e-mail then phone, atomic per channel, isolated per firm.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{app, create_contact, fields, member, send, send_ok, service_token};
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn intake(app: &TestApp, firm: FirmId, body: &Value) -> reqwest::RequestBuilder {
    app.http
        .post(app.url("/api/v1/contacts/intake"))
        .bearer_auth(service_token(app))
        .header("x-firm-id", firm.to_string())
        .json(body)
}

#[tokio::test]
async fn finds_by_email_then_phone_else_creates() {
    let app = app().await;
    let firm = FirmId::new();
    let lead = json!({ "givenName": "Ada", "familyName": "Lovelace", "email": "Ada@Example.com", "phone": "+1 555 010 2030" });
    let (status, first) = send(intake(&app, firm, &lead)).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["created"], true);
    assert_eq!(first["displayName"], "Ada Lovelace");
    assert_eq!(first["emails"][0]["address"], "ada@example.com");
    assert_eq!(first["phones"][0]["number"], "+15550102030");

    // The same address (any case), another name: the same contact.
    let again = send_ok(
        intake(
            &app,
            firm,
            &json!({ "displayName": "A. L.", "email": "ADA@example.com" }),
        ),
        200,
    )
    .await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["created"], false);
    // The phone alone, written otherwise: the same contact.
    let by_phone = send_ok(
        intake(
            &app,
            firm,
            &json!({ "displayName": "Ada", "phone": "(555) 010-2030" }),
        ),
        200,
    )
    .await;
    assert_eq!(by_phone["id"], first["id"]);

    // A contact created through the API is found too.
    let lawyer = member(&app, firm, "LAWYER").await;
    let grace = create_contact(
        &app,
        &lawyer,
        &json!({ "kind": "PERSON", "givenName": "Grace", "emails": [{ "address": "grace@example.com" }] }),
    )
    .await;
    let found = send_ok(
        intake(
            &app,
            firm,
            &json!({ "givenName": "Grace", "email": "grace@example.com" }),
        ),
        200,
    )
    .await;
    assert_eq!(found["id"], grace["id"]);

    // Another firm has its own contacts.
    let other = send_ok(intake(&app, FirmId::new(), &lead), 201).await;
    assert_ne!(other["id"], first["id"]);
}

#[tokio::test]
async fn concurrent_leads_with_one_address_make_one_contact() {
    let app = app().await;
    let firm = FirmId::new();
    let body = json!({ "givenName": "Same", "email": "same@example.com" });
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        calls.spawn(send(intake(&app, firm, &body)));
    }
    let answers = calls.join_all().await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    let ids: std::collections::HashSet<_> = answers.iter().map(|(_, b)| b["id"].clone()).collect();
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn users_are_refused_and_bad_input_is_named() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/contacts/intake", &lawyer)
            .json(&json!({ "givenName": "Ada", "email": "ada@example.com" })),
    )
    .await;
    assert_eq!(status, 403, "{body}");

    let (status, body) = send(intake(&app, firm, &json!({ "givenName": "Ada" }))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["email"]);
    let (status, body) = send(intake(
        &app,
        firm,
        &json!({ "givenName": "Ada", "phone": "call me" }),
    ))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["phone"]);
    let (status, body) = send(intake(
        &app,
        firm,
        &json!({ "email": "nobody@example.com" }),
    ))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["givenName"]);
}
