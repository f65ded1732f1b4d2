//! Shared helpers: rbac and contacts with events flowing, firm members holding
//! real rbac roles, and request shortcuts.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use lawos_core::{FirmId, UserId};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

pub const BASE: &str = "/api/v1/contacts";

/// The contacts instance's `Authz` (for its counters).
pub fn authz(app: &TestApp) -> lawos_authz::Authz {
    let env = app.envs.iter().find(|e| e.name == "contacts").unwrap();
    lawos_authz::Authz::for_service(env)
}

/// rbac and contacts, events flowing, the invalidation subscription up.
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&[lawos_svc_rbac::SPEC, lawos_svc_contacts::SPEC]).await;
    let up = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        authz(&app).stats().sessions >= 1
    })
    .await;
    assert!(up, "the invalidation subscription did not start");
    app
}

pub fn firm_admin(firm: FirmId) -> TestUser {
    TestUser::member(firm, "FIRM_ADMIN")
}

pub async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let res = r.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn send_ok(r: reqwest::RequestBuilder, status: u16) -> Value {
    let (got, body) = send(r).await;
    assert_eq!(got, status, "{body}");
    body
}

/// A user of `firm` holding `role` in rbac, once its `permission.changed` arrived.
pub async fn member(app: &TestApp, firm: FirmId, role: &str) -> TestUser {
    let user = TestUser::member(firm, role);
    let seen = authz(app).stats().invalidations;
    send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/assignments", &firm_admin(firm))
            .json(&json!({ "userId": user.user_id, "role": role })),
        201,
    )
    .await;
    let applied = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        authz(app).stats().invalidations > seen
    })
    .await;
    assert!(
        applied,
        "the assignment's permission.changed did not arrive"
    );
    user
}

/// Grants `action` on `CLIENT/<client>` to `user`, once the change arrived.
pub async fn grant_client(app: &TestApp, firm: FirmId, client: &str, user: UserId, action: &str) {
    let seen = authz(app).stats().invalidations;
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/CLIENT/{client}/grants"),
            &firm_admin(firm),
        )
        .json(&json!({ "userId": user, "action": action })),
        201,
    )
    .await;
    let applied = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        authz(app).stats().invalidations > seen
    })
    .await;
    assert!(applied, "the grant's permission.changed did not arrive");
}

pub fn ada() -> Value {
    json!({
        "kind": "PERSON",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "emails": [{ "address": "ada@analytical.example", "label": "work" }],
        "phones": [{ "number": "+1 (555) 010-2030", "label": "mobile" }],
        "addresses": [{ "street": "12 St James's Square", "city": "London", "country": "GB" }],
        "notes": "Prefers e-mail"
    })
}

pub async fn create_contact(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    send_ok(
        app.as_user(Method::POST, &format!("{BASE}/"), user)
            .json(body),
        201,
    )
    .await
}

pub fn individual() -> Value {
    json!({
        "type": "INDIVIDUAL",
        "fullName": "Grace Hopper",
        "email": "grace@navy.example",
        "phone": "555 010 9999",
        "address": { "street": "1 Navy Way", "city": "Arlington", "state": "VA", "zip": "22201", "country": "US" },
        "ssn": "123-45-6789",
        "dateOfBirth": "1906-12-09"
    })
}

pub async fn create_client(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    send_ok(
        app.as_user(Method::POST, &format!("{BASE}/clients/"), user)
            .json(body),
        201,
    )
    .await
}

/// The field names of a 422's `details.fields`.
pub fn fields(body: &Value) -> Vec<String> {
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR", "{body}");
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

/// A token of another service (no user behind it), as the matters service calls.
pub fn service_token(app: &TestApp) -> String {
    let claims = lawos_auth::Claims::new(
        lawos_testkit::tokens::ISSUER,
        "lawos-matters",
        lawos_testkit::tokens::AUDIENCE,
        Duration::from_secs(300),
    )
    .with_client_id("lawos-matters");
    app.issuer.signer.sign(&claims).unwrap()
}
