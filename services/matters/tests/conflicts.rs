//! The conflict check across both services: contacts asks matters (over REST,
//! `POST /api/v1/matters/party-lookup`) where the matched contacts and clients
//! are parties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn find<'a>(list: &'a Value, id: &Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|f| &f["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

#[tokio::test]
async fn an_existing_client_entered_as_an_opposing_party_is_found_with_its_matters() {
    let app = TestApp::spawn(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
    ])
    .await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let client = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/clients/", &lawyer).json(&json!({
            "type": "CORPORATION", "fullName": "Acme Corp", "companyName": "Acme Corp",
            "email": "office@acme.example", "phone": "555 010 1234",
            "address": { "street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" }
        })),
        201,
    )
    .await;
    let contact = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/", &lawyer)
            .json(&json!({
                "kind": "ORGANIZATION", "organizationName": "Acme Corp",
                "emails": [{ "address": "legal@acme.example" }]
            })),
        201,
    )
    .await;
    // Acme is our client in an existing matter, and its contact a CLIENT party there.
    let mut body = matter_body("Acme v. Globex");
    body["clientId"] = client["id"].clone();
    let existing = create(&app, &lawyer, body).await;
    let existing_id = id_of(&existing);
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{existing_id}/contacts"),
            &lawyer,
        )
        .json(&json!({ "contactId": contact["id"], "role": "CLIENT" })),
        201,
    )
    .await;
    create(&app, &lawyer, matter_body("Unrelated")).await;

    // A new matter's opposing party is "ACME Corp": the check finds the client
    // and the contact, each with the matter where it is a party.
    let found = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/conflict-check", &lawyer)
            .json(&json!({ "company": "ACME Corp", "emails": ["LEGAL@acme.example"] })),
        200,
    )
    .await;
    assert_eq!(found["mattersUnavailable"], false, "{found}");
    let by_client = find(&found["clients"], &client["id"]);
    let matters = by_client["matters"].as_array().unwrap();
    assert_eq!(matters.len(), 1, "{found}");
    assert_eq!(matters[0]["id"], existing["id"]);
    assert_eq!(matters[0]["matterNumber"], existing["matterNumber"]);
    assert_eq!(matters[0]["role"], "CLIENT");
    assert!(
        matters[0]["rules"]
            .as_array()
            .unwrap()
            .contains(&json!("COMPANY")),
        "{found}"
    );
    let by_contact = find(&found["contacts"], &contact["id"]);
    let matters = by_contact["matters"].as_array().unwrap();
    assert_eq!(matters.len(), 1, "{found}");
    assert_eq!(matters[0]["id"], existing["id"]);
    assert_eq!(matters[0]["role"], "CLIENT");
    assert_eq!(matters[0]["rules"], json!(["EMAIL", "COMPANY"]), "{found}");

    // Entered as an opposing party of a new matter, Acme's contact comes back
    // with the conflict check's findings: our client and the matter it is in.
    let new_matter = id_of(&create(&app, &lawyer, matter_body("Wile v. Acme")).await);
    let party = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{new_matter}/contacts"),
            &lawyer,
        )
        .json(&json!({ "contactId": contact["id"], "role": "OPPOSING_PARTY" })),
        201,
    )
    .await;
    assert_eq!(party["role"], "OPPOSING_PARTY");
    let conflicts = &party["conflicts"];
    assert_eq!(conflicts["mattersUnavailable"], false, "{party}");
    let by_client = find(&conflicts["clients"], &client["id"]);
    assert_eq!(by_client["matters"][0]["id"], existing["id"], "{party}");
    assert_eq!(by_client["matters"][0]["role"], "CLIENT");
    let itself = find(&conflicts["contacts"], &contact["id"]);
    assert_eq!(itself["matters"][0]["id"], existing["id"], "{party}");
    // A witness is not conflict-checked.
    let witness = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{new_matter}/contacts"),
            &lawyer,
        )
        .json(&json!({ "contactId": contact["id"], "role": "WITNESS" })),
        201,
    )
    .await;
    assert!(witness.get("conflicts").is_none(), "{witness}");

    // Another firm finds none of it.
    let theirs = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/conflict-check", &stranger)
            .json(&json!({ "company": "ACME Corp", "emails": ["legal@acme.example"] })),
        200,
    )
    .await;
    assert_eq!(
        theirs,
        json!({ "contacts": [], "clients": [], "mattersUnavailable": false })
    );
}

#[tokio::test]
async fn the_party_lookup_is_for_services_only() {
    let app = TestApp::spawn(&[lawos_svc_rbac::SPEC, lawos_svc_matters::SPEC]).await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/matters/party-lookup", &lawyer)
            .json(&json!({ "contactIds": [] })),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"), "{body}");
}
