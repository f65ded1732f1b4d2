//! The tasks service beside the real rbac, matters, events, contacts and
//! tenants services (roles through rbac, memberships through matters' events).
#![allow(dead_code)]

use std::time::Duration;

use lawos_authz::Authz;
use lawos_core::FirmId;
pub use lawos_testkit::api::{assign, code, fields, id_of, send, send_ok};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub fn authz(app: &TestApp, service: &str) -> Authz {
    let env = app.envs.iter().find(|e| e.name == service).unwrap();
    Authz::for_service(env)
}

/// Every service tasks talks to, with events flowing, once the invalidation
/// subscriptions and rbac's queue are up.
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_tenants::SPEC,
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
        lawos_svc_tasks::SPEC,
    ])
    .await;
    for service in ["matters", "tasks"] {
        let up = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
            authz(&app, service).stats().sessions >= 1
        })
        .await;
        assert!(up, "the {service} invalidation subscription did not start");
    }
    lawos_testkit::api::wait_for_queue(&app, "rbac.events").await;
    app
}

pub async fn matter(app: &TestApp, lawyer: &TestUser, title: &str) -> Uuid {
    let body = json!({ "title": title, "matterType": "CIVIL" });
    id_of(
        &send_ok(
            app.as_user(Method::POST, "/api/v1/matters/", lawyer)
                .json(&body),
            201,
        )
        .await,
    )
}

/// `lead` adds `user` to matter `id`; answers once tasks sees the membership
/// (the member can read the matter's tasks list without a 404 on the matter).
pub async fn join(app: &TestApp, lead: &TestUser, matter: Uuid, user: &TestUser) {
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{matter}/members"),
            lead,
        )
        .json(&json!({ "userId": user.user_id, "role": "STAFF" })),
        201,
    )
    .await;
    let path = format!("/api/v1/matters/{matter}");
    let seen = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        send(app.as_user(Method::GET, &path, user)).await.0 == 200
    })
    .await;
    assert!(seen, "the member never reached matter {matter}");
    // tasks keeps its own cache: drop what it may hold for the user.
    authz(app, "tasks")
        .invalidate(user.firm_id.unwrap().0, &[user.user_id.0])
        .await;
}

pub async fn task(app: &TestApp, user: &TestUser, body: Value) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/tasks/", user)
            .json(&body),
        201,
    )
    .await
}

pub fn firm_of(user: &TestUser) -> FirmId {
    user.firm_id.unwrap()
}

pub fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}
