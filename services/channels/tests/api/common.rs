//! What the channels tests share: the app, users with roles given through rbac,
//! matters and contacts created through their services, waiting helpers.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use lawos_authz::Authz;
use lawos_core::FirmId;
use lawos_testkit::api::{assign, id_of, send, send_ok, wait_for_queue};
use lawos_testkit::broker::eventually;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub use lawos_testkit::api::{code, fields, firm_admin};

pub const SPECS: [lawos_http::runtime::ServiceSpec; 4] = [
    lawos_svc_rbac::SPEC,
    lawos_svc_contacts::SPEC,
    lawos_svc_matters::SPEC,
    lawos_svc_channels::SPEC,
];

pub fn authz(app: &TestApp) -> Authz {
    let env = app.envs.iter().find(|e| e.name == "channels").unwrap();
    Authz::for_service(env)
}

/// rbac, contacts, matters and channels with events flowing, once channels'
/// consumer and invalidation subscription are up.
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&SPECS).await;
    ready(&app).await;
    app
}

/// Waits for the queues and subscriptions a test relies on.
pub async fn ready(app: &TestApp) {
    let up = eventually(Duration::from_secs(10), || async {
        authz(app).stats().sessions >= 1
    })
    .await;
    assert!(up, "the channels invalidation subscription did not start");
    wait_for_queue(app, "rbac.events").await;
    wait_for_queue(app, "channels.events").await;
}

/// A user of `firm` holding `role` in rbac.
pub async fn user(app: &TestApp, firm: FirmId, role: &str) -> TestUser {
    assign(app, firm, role).await
}

/// A matter created by `user` at matters; its id.
pub async fn matter(app: &TestApp, user: &TestUser, title: &str) -> Uuid {
    let body = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", user)
            .json(&json!({ "title": title, "matterType": "CIVIL" })),
        201,
    )
    .await;
    id_of(&body)
}

/// A person contact created by `user` at contacts; its id.
pub async fn contact(app: &TestApp, user: &TestUser, given: &str, family: &str) -> Uuid {
    let body = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/", user)
            .json(&json!({ "kind": "PERSON", "givenName": given, "familyName": family })),
        201,
    )
    .await;
    id_of(&body)
}

/// `lead` puts `member` on matter `id` as `role` at matters.
pub async fn join(app: &TestApp, lead: &TestUser, id: Uuid, member: &TestUser, role: &str) {
    send_ok(
        app.as_user(Method::POST, &format!("/api/v1/matters/{id}/members"), lead)
            .json(&json!({ "userId": member.user_id, "role": role })),
        201,
    )
    .await;
}

/// The channels `user` lists with `query`.
pub async fn list(app: &TestApp, user: &TestUser, query: &str) -> Value {
    send_ok(
        app.as_user(Method::GET, &format!("/api/v1/channels/{query}"), user),
        200,
    )
    .await
}

/// The default channel of matter `id` as `user` lists it, once it is there
/// (within `within`), and how long it took.
pub async fn default_channel(
    app: &TestApp,
    user: &TestUser,
    id: Uuid,
    within: Duration,
) -> Option<(Value, Duration)> {
    let start = Instant::now();
    let query = format!("?context_type=MATTER&context_id={id}");
    while start.elapsed() < within {
        let page = list(app, user, &query).await;
        if let Some(found) = page["data"].as_array().and_then(|d| d.first()) {
            return Some((found.clone(), start.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// The user ids taking part in `channel`, as `user` reads it.
pub async fn user_ids(app: &TestApp, user: &TestUser, channel: Uuid) -> Vec<Uuid> {
    let body = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/channels/{channel}"), user),
        200,
    )
    .await;
    body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["userId"].as_str().map(|s| s.parse().unwrap()))
        .collect()
}

/// Whether `check` holds within `within` (polling).
pub async fn soon<F, Fut>(within: Duration, check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    eventually(within, check).await
}

/// The status `user` gets for `method path` (with an empty JSON body on writes).
pub async fn status(app: &TestApp, method: Method, path: &str, user: &TestUser) -> u16 {
    let req = app.as_user(method.clone(), path, user);
    let req = if method == Method::GET || method == Method::DELETE {
        req
    } else {
        req.json(&json!({}))
    };
    send(req).await.0
}

/// A token of another service (no user behind it), as the messages service calls.
pub fn service_token(app: &TestApp) -> String {
    let claims = lawos_auth::Claims::new(
        lawos_testkit::tokens::ISSUER,
        "lawos-messages",
        lawos_testkit::tokens::AUDIENCE,
        Duration::from_secs(300),
    )
    .with_client_id("lawos-messages");
    app.issuer.signer.sign(&claims).unwrap()
}

/// An INTERNAL channel created by `user`; its body.
pub async fn internal_channel(app: &TestApp, user: &TestUser, title: &str) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/channels/", user)
            .json(&json!({ "contextType": "INTERNAL", "title": title })),
        201,
    )
    .await
}

/// A MATTER channel created by `user`; its body.
pub async fn matter_channel(app: &TestApp, user: &TestUser, matter: Uuid, title: &str) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/channels/", user)
            .json(&json!({ "contextType": "MATTER", "contextId": matter, "title": title })),
        201,
    )
    .await
}
