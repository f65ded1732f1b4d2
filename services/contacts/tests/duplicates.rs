//! The duplicate check on `contact.created` (through the event bus) and merging.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{BASE, ada, app, create_client, create_contact, fields, member, send, send_ok};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::broker::eventually;
use reqwest::Method;
use serde_json::{Value, json};

async fn pairs(app: &TestApp, user: &lawos_testkit::TestUser) -> Vec<Value> {
    let body = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/duplicates"), user),
        200,
    )
    .await;
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_created_contact_is_checked_for_duplicates_and_merged() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, firm, "LAWYER").await;
    let outsider = member(&app, other_firm, "LAWYER").await;
    let original = create_contact(&app, &lawyer, &ada()).await;
    create_contact(
        &app,
        &lawyer,
        &json!({ "kind": "PERSON", "givenName": "Charles", "familyName": "Babbage" }),
    )
    .await;
    // Same phone in another format, a slightly different name, another address.
    let twin = create_contact(
        &app,
        &lawyer,
        &json!({
            "kind": "PERSON", "givenName": "Ada", "familyName": "Lovelace-King",
            "emails": [{ "address": "countess@lovelace.example" }],
            "phones": [{ "number": "555-010-2030" }]
        }),
    )
    .await;
    let (a, b) = (
        original["id"].as_str().unwrap(),
        twin["id"].as_str().unwrap(),
    );
    let found = eventually(Duration::from_secs(10), || async {
        !pairs(&app, &lawyer).await.is_empty()
    })
    .await;
    assert!(found, "the duplicate check did not run");
    let list = pairs(&app, &lawyer).await;
    assert_eq!(list.len(), 1, "only the look-alike pair: {list:?}");
    let pair = &list[0];
    let mut ids = [
        pair["contactId"].as_str().unwrap(),
        pair["otherContactId"].as_str().unwrap(),
    ];
    ids.sort();
    let mut want = [a, b];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(pair["reasons"], json!(["SAME_PHONE", "SIMILAR_NAME"]));
    assert!(pair["score"].as_f64().unwrap() > 0.8, "{pair}");
    assert!(
        pairs(&app, &outsider).await.is_empty(),
        "another firm sees no pairs"
    );

    // The twin is a client's contact; merging moves that to the original.
    let client = create_client(
        &app,
        &lawyer,
        &json!({ "type": "CORPORATION", "companyName": "Engines", "contactId": b }),
    )
    .await;
    let client_id = client["id"].as_str().unwrap();
    send_ok(
        app.as_user(
            Method::POST,
            &format!("{BASE}/clients/{client_id}/contacts"),
            &lawyer,
        )
        .json(&json!({ "contactId": b, "relationship": "PRIMARY" })),
        201,
    )
    .await;
    let merged = send_ok(
        app.as_user(Method::POST, &format!("{BASE}/{a}/merge"), &lawyer)
            .json(&json!({ "contactId": b })),
        200,
    )
    .await;
    assert_eq!(merged["mergedId"], b);
    assert_eq!(merged["moved"], json!({ "clientLinks": 1, "clients": 1 }));
    let addresses: Vec<&str> = merged["contact"]["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["ada@analytical.example", "countess@lovelace.example"]
    );
    assert_eq!(
        merged["contact"]["phones"].as_array().unwrap().len(),
        1,
        "the same number once"
    );

    assert_eq!(
        send(app.as_user(Method::GET, &format!("{BASE}/{b}"), &lawyer))
            .await
            .0,
        404
    );
    let client = send_ok(
        app.as_user(Method::GET, &format!("{BASE}/clients/{client_id}"), &lawyer),
        200,
    )
    .await;
    assert_eq!(client["contactId"], a);
    let links = send_ok(
        app.as_user(
            Method::GET,
            &format!("{BASE}/clients/{client_id}/contacts"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(links["data"][0]["contactId"], a);
    assert!(
        pairs(&app, &lawyer).await.is_empty(),
        "the merged pair is closed"
    );

    // contact.merged went out with the merge, and the outbox drains.
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let merged_events: i64 = diesel::sql_query(
        "select count(*) as n from contacts.outbox where event_type = 'contact.merged' \
         and payload->'data'->>'mergedId' = $1",
    )
    .bind::<diesel::sql_types::Text, _>(b)
    .get_result::<Count>(&mut conn)
    .await
    .unwrap()
    .n;
    assert_eq!(merged_events, 1);
    let drained = eventually(Duration::from_secs(10), || async {
        let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
            .await
            .unwrap();
        lawos_events::unpublished_count(&mut conn, "contacts")
            .await
            .unwrap()
            == 0
    })
    .await;
    assert!(drained, "the contacts outbox did not drain");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn merge_input_and_roles_are_checked() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, firm, "LAWYER").await;
    let staff = member(&app, firm, "STAFF").await;
    let outsider = member(&app, other_firm, "LAWYER").await;
    let a = create_contact(&app, &lawyer, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = create_contact(&app, &outsider, &ada()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let merge = format!("{BASE}/{a}/merge");
    for body in [
        json!({}),
        json!({ "contactId": "nope" }),
        json!({ "contactId": a }),
        json!({ "contactId": theirs }),
    ] {
        let (status, err) = send(app.as_user(Method::POST, &merge, &lawyer).json(&body)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(fields(&err), ["contactId"]);
    }
    let (status, _) = send(
        app.as_user(Method::POST, &merge, &staff)
            .json(&json!({ "contactId": theirs })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(
        app.as_user(Method::POST, &format!("{BASE}/{theirs}/merge"), &lawyer)
            .json(&json!({ "contactId": a })),
    )
    .await;
    assert_eq!(status, 404, "another firm's contact does not exist here");
    send_ok(
        app.as_user(Method::GET, &format!("{BASE}/{theirs}"), &outsider),
        200,
    )
    .await;
}
