//! `clientId` checked against the real contacts service over REST.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::json;

async fn client_of(app: &TestApp, user: &TestUser, name: &str) -> String {
    let client = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/clients/", user).json(&json!({
            "type": "CORPORATION", "fullName": name, "companyName": name,
            "email": "office@example.com", "phone": "555 010 1234",
            "address": { "street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" }
        })),
        201,
    )
    .await;
    client["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_client_of_the_firm_is_accepted_and_another_firms_is_not() {
    let app = TestApp::spawn(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
    ])
    .await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let ours = client_of(&app, &lawyer, "Acme Corp").await;
    let theirs = client_of(&app, &stranger, "Globex").await;

    let mut body = matter_body("Acme v. Globex");
    body["clientId"] = json!(ours);
    let matter = create(&app, &lawyer, body).await;
    assert_eq!(matter["clientId"], json!(ours));
    let listed = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/matters/?client_id={ours}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(listed["pagination"]["total"], 1);

    let mut body = matter_body("Borrowed client");
    body["clientId"] = json!(theirs);
    let refused = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", &lawyer)
            .json(&body),
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["clientId"]);
    let path = format!("/api/v1/matters/{}", id_of(&matter));
    let refused = send_ok(
        app.as_user(Method::PATCH, &path, &lawyer)
            .json(&json!({ "clientId": theirs })),
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["clientId"]);
}
