//! The conflict check: contacts and clients matching a prospective party.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    BASE, ada, app, create_client, create_contact, fields, individual, member, send, send_ok,
};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::{Value, json};

fn rules(finding: &Value) -> Vec<(String, String)> {
    finding["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["rule"].as_str().unwrap().to_owned(),
                m["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_check_finds_contacts_and_clients_with_the_rule_that_matched() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, firm, "LAWYER").await;
    let outsider = member(&app, other_firm, "LAWYER").await;
    let ada = create_contact(&app, &lawyer, &ada()).await;
    let engines = create_contact(
        &app,
        &lawyer,
        &json!({ "kind": "ORGANIZATION", "organizationName": "Analytical Engines Ltd" }),
    )
    .await;
    create_contact(
        &app,
        &lawyer,
        &json!({ "kind": "PERSON", "givenName": "Unrelated", "familyName": "Person" }),
    )
    .await;
    let grace = create_client(&app, &lawyer, &individual()).await;
    let acme = create_client(&app, &lawyer, &json!({ "type": "CORPORATION", "companyName": "Acme Holdings", "contactId": engines["id"] })).await;

    let check = json!({
        "names": ["Grace Hoper"],
        "emails": ["ADA@analytical.example"],
        "phones": ["(555) 010-9999"],
        "company": "Analytical Engines"
    });
    let found = send_ok(
        app.as_user(Method::POST, &format!("{BASE}/conflict-check"), &lawyer)
            .json(&check),
        200,
    )
    .await;
    let contacts = found["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2, "{found}");
    // Matters is not running here: the findings come without it, flagged.
    assert_eq!(found["mattersUnavailable"], true, "{found}");
    assert!(contacts.iter().all(|c| c["matters"].is_null()), "{found}");
    let by_id = |list: &[Value], id: &Value| list.iter().find(|f| &f["id"] == id).cloned().unwrap();
    assert_eq!(
        rules(&by_id(contacts, &ada["id"])),
        [("EMAIL".into(), "ada@analytical.example".into())]
    );
    assert_eq!(
        rules(&by_id(contacts, &engines["id"])),
        [("COMPANY".into(), "analytical engines".into())]
    );
    let clients = found["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{found}");
    assert_eq!(clients[0]["id"], grace["id"]);
    assert_eq!(
        rules(&clients[0]),
        [
            ("NAME".into(), "grace hoper".into()),
            ("PHONE".into(), "+15550109999".into())
        ]
    );
    assert!(clients[0].get("ssn").is_none(), "no PII in findings");

    // An existing client entered as an opposing party (by company name).
    let opposing = send_ok(
        app.as_user(Method::POST, &format!("{BASE}/conflict-check"), &lawyer)
            .json(&json!({ "company": "ACME Holdings Inc" })),
        200,
    )
    .await;
    assert_eq!(opposing["clients"][0]["id"], acme["id"], "{opposing}");
    assert_eq!(rules(&opposing["clients"][0])[0].0, "COMPANY");

    let theirs = send_ok(
        app.as_user(Method::POST, &format!("{BASE}/conflict-check"), &outsider)
            .json(&check),
        200,
    )
    .await;
    assert_eq!(
        theirs,
        json!({ "contacts": [], "clients": [], "mattersUnavailable": false }),
        "another firm finds nothing"
    );
}

#[tokio::test]
async fn the_check_names_bad_terms_and_needs_the_scope() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let portal = member(&app, firm, "CLIENT").await;
    let path = format!("{BASE}/conflict-check");
    let (status, body) = send(app.as_user(Method::POST, &path, &lawyer).json(&json!({}))).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["names"]);
    let (status, body) = send(
        app.as_user(Method::POST, &path, &lawyer)
            .json(&json!({ "names": ["x"], "emails": ["nope"], "phones": ["12"] })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["names[0]", "emails[0]", "phones[0]"]);
    let (status, _) = send(
        app.as_user(Method::POST, &path, &portal)
            .json(&json!({ "names": ["Ada"] })),
    )
    .await;
    assert_eq!(status, 403);
}
