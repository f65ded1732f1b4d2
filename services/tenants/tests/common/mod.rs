//! Shared helpers for the tenants integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

pub async fn app() -> TestApp {
    TestApp::spawn(&[lawos_svc_tenants::SPEC]).await
}

pub fn firm_body(slug: &str) -> Value {
    json!({
        "name": format!("Firm {slug}"),
        "slug": slug,
        "contactEmail": format!("admin@{slug}.example"),
        "billingPlan": "enterprise",
        "createLogtoOrg": false,
        "features": { "timeTracking": true, "documentManagement": true, "clientPortal": false }
    })
}

/// Creates a firm as a system administrator and returns its JSON.
pub async fn create_firm(app: &TestApp, slug: &str) -> Value {
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &TestUser::system_admin())
        .json(&firm_body(slug))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "create {slug}");
    res.json().await.unwrap()
}

pub fn firm_id(firm: &Value) -> lawos_core::FirmId {
    firm["id"].as_str().unwrap().parse().unwrap()
}

/// Asserts the Backstage envelope with `code` and returns it.
pub async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = res.json().await.unwrap();
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(error["timestamp"].as_str().is_some());
    assert_eq!(
        error["requestId"].as_str().map(str::to_owned),
        request_id,
        "requestId echoes the header"
    );
    body
}
