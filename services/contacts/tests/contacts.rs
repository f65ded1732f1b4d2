//! Contacts: the standard pattern, validation, roles, firms, search.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{BASE, ada, app, create_contact, fields, member, send, send_ok};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_contact_lives_through_the_standard_pattern() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let res = app
        .as_user(Method::POST, &format!("{BASE}/"), &lawyer)
        .json(&ada())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let created: serde_json::Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["displayName"], "Ada Lovelace");
    assert_eq!(created["phones"][0]["number"], "+15550102030", "E.164");
    assert_eq!(created["createdBy"], json!(lawyer.user_id));
    let path = format!("{BASE}/{id}");

    let got = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(got["emails"][0]["address"], "ada@analytical.example");

    // PATCH with a stale If-Match is 412; with the current one it applies.
    let (status, _) = send(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", "\"stale\"")
            .json(&json!({ "notes": "x" })),
    )
    .await;
    assert_eq!(status, 412);
    let patched = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .header("if-match", &etag)
            .json(&json!({ "familyName": "King", "notes": null })),
        200,
    )
    .await;
    assert_eq!(
        patched["displayName"], "Ada King",
        "the display name follows the name"
    );
    assert_eq!(patched["notes"], serde_json::Value::Null);
    assert_eq!(
        patched["emails"], got["emails"],
        "PATCH keeps what it does not name"
    );

    // PUT replaces the data as a whole.
    let put = send_ok(
        app.as_user(Method::PUT, &path, &lawyer)
            .json(&json!({ "kind": "ORGANIZATION", "organizationName": "Analytical Engines Ltd" })),
        200,
    )
    .await;
    assert_eq!(put["displayName"], "Analytical Engines Ltd");
    assert_eq!(put["emails"], json!([]));

    // Archive hides it from the default list; restore brings it back.
    send_ok(
        app.as_user(Method::PUT, &format!("{path}/archive"), &lawyer),
        200,
    )
    .await;
    let list = send_ok(app.as_user(Method::GET, &format!("{BASE}/"), &lawyer), 200).await;
    assert_eq!(list["pagination"]["total"], 0);
    let list = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/?archived=true"), &lawyer),
        200,
    )
    .await;
    assert_eq!(list["data"][0]["id"], id.as_str());
    send_ok(
        app.as_user(Method::PUT, &format!("{path}/restore"), &lawyer),
        200,
    )
    .await;
    let list = send_ok(app.as_user(Method::GET, &format!("{BASE}/"), &lawyer), 200).await;
    assert_eq!(list["pagination"]["total"], 1);

    // Soft delete: gone from reads, still a row.
    let (status, _) = send(app.as_user(Method::DELETE, &path, &lawyer)).await;
    assert_eq!(status, 204);
    let (status, body) = send(app.as_user(Method::GET, &path, &lawyer)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("RESOURCE_NOT_FOUND"))
    );
    let (status, _) = send(app.as_user(Method::DELETE, &path, &lawyer)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn lists_paginate_with_cursors() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    for i in 0..5 {
        create_contact(
            &app,
            &lawyer,
            &json!({ "kind": "PERSON", "givenName": format!("P{i}") }),
        )
        .await;
    }
    let first = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/?limit=2"), &lawyer),
        200,
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["pagination"]["hasMore"], true);
    assert_eq!(first["pagination"]["total"], 5);
    let cursor = first["pagination"]["nextCursor"].as_str().unwrap();
    let second = send_ok(
        app.as_user(
            Method::GET,
            &format!("{BASE}/?limit=2&cursor={cursor}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    let (status, body) = send(app.as_user(
        Method::GET,
        &format!("{BASE}/?limit=500&archived=maybe&kind=ROBOT"),
        &lawyer,
    ))
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["archived", "kind", "limit"]);
}

#[tokio::test]
async fn every_bad_field_is_named_in_one_422_and_nothing_is_written() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let (status, body) = send(
        app.as_user(Method::POST, &format!("{BASE}/"), &lawyer)
            .json(&json!({
                "kind": "ROBOT",
                "emails": [{ "address": "not-an-address" }],
                "phones": [{ "number": "call me" }],
                "addresses": [{ "planet": "Mars" }]
            })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [
            "kind",
            "givenName",
            "emails[0].address",
            "phones[0].number",
            "addresses[0].planet"
        ]
    );
    let (status, body) = send(
        app.as_user(Method::POST, &format!("{BASE}/"), &lawyer)
            .json(&json!({ "kind": "ORGANIZATION" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["organizationName"]);
    let (status, body) = send(
        app.as_user(Method::POST, &format!("{BASE}/"), &lawyer)
            .json(&json!({ "kind": "PERSON", "givenName": "A", "shoeSize": 9 })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR")),
        "unknown fields are refused"
    );
    let id = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send(
        app.as_user(Method::PATCH, &format!("{BASE}/{id}"), &lawyer)
            .json(&json!({ "phones": [{ "number": "1" }] })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["phones[0].number"]);
    let list = send_ok(app.as_user(Method::GET, &format!("{BASE}/"), &lawyer), 200).await;
    assert_eq!(list["pagination"]["total"], 1);
    assert_eq!(
        list["data"][0]["phones"][0]["number"], "+15550102030",
        "the bad PATCH changed nothing"
    );
}

#[tokio::test]
async fn roles_without_the_scope_are_refused() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let staff = member(&app, firm, "STAFF").await;
    let client_user = member(&app, firm, "CLIENT").await;
    let id = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{BASE}/{id}");
    // STAFF reads contacts (clients:read) but may not write them.
    send_ok(app.as_user(Method::GET, &path, &staff), 200).await;
    for (method, p) in [
        (Method::POST, format!("{BASE}/")),
        (Method::PATCH, path.clone()),
        (Method::PUT, path.clone()),
        (Method::PUT, format!("{path}/archive")),
        (Method::DELETE, path.clone()),
    ] {
        let (status, body) = send(app.as_user(method.clone(), &p, &staff).json(&ada())).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("PERMISSION_DENIED")),
            "{method} {p}"
        );
    }
    // The CLIENT role (portal users) holds no scope here at all.
    for p in [format!("{BASE}/"), path.clone()] {
        let (status, body) = send(app.as_user(Method::GET, &p, &client_user)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("PERMISSION_DENIED")),
            "{p}"
        );
        assert_eq!(
            body["error"]["details"]["requiredScopes"],
            json!(["clients:read"])
        );
    }
}

#[tokio::test]
async fn another_firm_sees_nothing() {
    let app = app().await;
    let (ours, theirs) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, ours, "LAWYER").await;
    let other = member(&app, theirs, "LAWYER").await;
    let id = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{BASE}/{id}");
    for (method, p) in [
        (Method::GET, path.clone()),
        (Method::PATCH, path.clone()),
        (Method::PUT, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::PUT, format!("{path}/archive")),
        (Method::PUT, format!("{path}/restore")),
        (Method::GET, format!("{path}/events")),
    ] {
        let (status, _) = send(
            app.as_user(method.clone(), &p, &other)
                .json(&json!({ "notes": "x" })),
        )
        .await;
        assert_eq!(status, 404, "{method} {p}");
    }
    let list = send_ok(app.as_user(Method::GET, &format!("{BASE}/"), &other), 200).await;
    assert_eq!(list["data"], json!([]));
    let found = send_ok(
        app.as_user(
            Method::GET,
            &format!("{BASE}/?search_channels=Ada%20Lovelace"),
            &other,
        ),
        200,
    )
    .await;
    assert_eq!(found["data"], json!([]));
    send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
}

#[tokio::test]
async fn search_channels_matches_phones_in_any_format_addresses_and_misspelt_names() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let ada = create_contact(&app, &lawyer, &ada()).await;
    create_contact(&app, &lawyer, &json!({ "kind": "PERSON", "givenName": "Charles", "familyName": "Babbage", "phones": [{ "number": "+44 20 7946 0958" }] })).await;
    let search = |q: &str| {
        format!(
            "{BASE}/?search_channels={}",
            q.replace(' ', "%20")
                .replace('+', "%2B")
                .replace('(', "%28")
                .replace(')', "%29")
        )
    };
    for q in [
        "555.010.2030",
        "(555) 010 2030",
        "+15550102030",
        "ADA@analytical.example",
        "Ada Lovelase",
        "lovelace",
        "analytical",
    ] {
        let found = send_ok(app.as_user(Method::GET, &search(q), &lawyer), 200).await;
        let data = found["data"].as_array().unwrap();
        assert!(!data.is_empty(), "{q} finds nothing");
        assert_eq!(data[0]["id"], ada["id"], "{q}: {found}");
        assert!(data[0]["score"].as_f64().unwrap() > 0.3);
    }
    let found = send_ok(
        app.as_user(Method::GET, &search("Charles Babage"), &lawyer),
        200,
    )
    .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["data"][0]["familyName"], "Babbage");
    let exact = send_ok(
        app.as_user(Method::GET, &search("(555) 010 2030"), &lawyer),
        200,
    )
    .await;
    assert_eq!(exact["data"][0]["score"], 1.0, "an exact phone scores 1");
    let none = send_ok(
        app.as_user(Method::GET, &search("Zebediah Quux"), &lawyer),
        200,
    )
    .await;
    assert_eq!(none["data"], json!([]));
}
