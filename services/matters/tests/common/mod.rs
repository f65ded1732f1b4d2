//! The matters service beside the real rbac service (roles given through rbac
//! assignments by the firm's administrator), with events flowing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_authz::Authz;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub fn authz(app: &TestApp) -> Authz {
    let env = app.envs.iter().find(|e| e.name == "matters").unwrap();
    lawos_authz::Authz::for_service(env)
}

/// rbac and matters with events flowing, once matters' invalidation
/// subscription is up (events sent before it would not reach it).
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&[lawos_svc_rbac::SPEC, lawos_svc_matters::SPEC]).await;
    let up = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        authz(&app).stats().sessions >= 1
    })
    .await;
    assert!(up, "the matters invalidation subscription did not start");
    wait_for_queue(&app, "rbac.events").await;
    app
}

/// [`app`] with contacts too (parties must exist there).
pub async fn app_with_contacts() -> TestApp {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
    ])
    .await;
    let up = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        authz(&app).stats().sessions >= 1
    })
    .await;
    assert!(up, "the matters invalidation subscription did not start");
    wait_for_queue(&app, "rbac.events").await;
    app
}

/// A person contact of `user`'s firm at contacts; answers its id.
pub async fn contact_of(app: &TestApp, user: &TestUser, given: &str, family: &str) -> Uuid {
    let contact = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/", user)
            .json(&json!({ "kind": "PERSON", "givenName": given, "familyName": family })),
        201,
    )
    .await;
    id_of(&contact)
}

/// Waits until a consumer has declared its queue: events published to the
/// exchange before any queue is bound to it are routed nowhere.
pub async fn wait_for_queue(app: &TestApp, queue: &str) {
    use lapin::options::QueueDeclareOptions;
    use lapin::types::FieldTable;
    let amqp = lapin::Connection::connect(
        &app.vhost.as_ref().unwrap().amqp_url(),
        lapin::ConnectionProperties::default(),
    )
    .await
    .unwrap();
    let declared = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        let ch = amqp.create_channel().await.unwrap();
        ch.queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .is_ok()
    })
    .await;
    assert!(declared, "the queue {queue} was not declared");
    let _ = amqp.close(0, "ready".into()).await;
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

/// A user of `firm` holding `role` in rbac (no waiting for events: a user the
/// service never asked about has nothing cached).
pub async fn assign(app: &TestApp, firm: FirmId, role: &str) -> TestUser {
    let user = TestUser::member(firm, role);
    send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/assignments", &firm_admin(firm))
            .json(&json!({ "userId": user.user_id, "role": role })),
        201,
    )
    .await;
    user
}

/// [`assign`], once the assignment's `permission.changed` has reached matters.
pub async fn member(app: &TestApp, firm: FirmId, role: &str) -> TestUser {
    let seen = authz(app).stats().invalidations;
    let user = assign(app, firm, role).await;
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

pub fn matter_body(title: &str) -> Value {
    json!({ "title": title, "matterType": "CIVIL", "practiceArea": "Personal Injury" })
}

/// Creates a matter as `user`; answers its body.
pub async fn create(app: &TestApp, user: &TestUser, body: Value) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", user)
            .json(&body),
        201,
    )
    .await
}

pub fn id_of(body: &Value) -> Uuid {
    body["id"].as_str().unwrap().parse().unwrap()
}

pub async fn set_stage(app: &TestApp, user: &TestUser, id: Uuid, stage: &str) -> (u16, Value) {
    send(
        app.as_user(Method::PUT, &format!("/api/v1/matters/{id}/stage"), user)
            .json(&json!({ "stage": stage })),
    )
    .await
}

pub async fn status(app: &TestApp, method: Method, path: &str, user: &TestUser) -> u16 {
    send(app.as_user(method, path, user).json(&json!({})))
        .await
        .0
}

/// How long until `user`'s `GET path` answers `want` (polling every 10 ms).
pub async fn time_until(
    app: &TestApp,
    path: &str,
    user: &TestUser,
    want: u16,
    within: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if status(app, Method::GET, path, user).await == want {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// `lead` adds `user` to matter `id` as `role`; answers once `user` can read
/// the matter (the membership has reached rbac's projection and come back).
pub async fn join(app: &TestApp, lead: &TestUser, id: Uuid, user: &TestUser, role: &str) {
    send_ok(
        app.as_user(Method::POST, &format!("/api/v1/matters/{id}/members"), lead)
            .json(&json!({ "userId": user.user_id, "role": role })),
        201,
    )
    .await;
    let path = format!("/api/v1/matters/{id}");
    let visible = time_until(app, &path, user, 200, lawos_testkit::broker::PROPAGATE).await;
    assert!(visible.is_some(), "{role} member never saw matter {id}");
}

#[derive(diesel::QueryableByName, Debug)]
pub struct OutboxRow {
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
}

/// The matters outbox rows about `entity`, in order (read as the database owner).
pub async fn outbox(app: &TestApp, entity: Uuid) -> Vec<OutboxRow> {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    diesel::sql_query(
        "select event_type, payload from matters.outbox where entity_id = $1 order by seq",
    )
    .bind::<SqlUuid, _>(entity)
    .load(&mut conn)
    .await
    .unwrap()
}

/// The `error.code` of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The fields a 422 names.
pub fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the relay publishes every outbox row within a few seconds.
pub async fn outbox_drains(app: &TestApp) -> bool {
    let url = app.db.admin_url();
    lawos_testkit::broker::eventually(Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
            lawos_events::unpublished_count(&mut conn, "matters")
                .await
                .unwrap()
                == 0
        }
    })
    .await
}
