//! Helpers every service's API tests use: sending a request and reading its
//! status and body, the envelope's code and named fields, roles given through
//! the real rbac service, waiting for a consumer's queue and an empty outbox.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{TestApp, TestUser};

/// Sends `r`; its status and JSON body (`null` when there is none).
pub async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let res = r
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends `r` and asserts its status; its JSON body.
pub async fn send_ok(r: reqwest::RequestBuilder, status: u16) -> Value {
    let (got, body) = send(r).await;
    assert_eq!(got, status, "{body}");
    body
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
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `id` of a created resource's body.
pub fn id_of(body: &Value) -> Uuid {
    body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {body}"))
}

/// The firm's administrator (a token with the FIRM_ADMIN role).
pub fn firm_admin(firm: FirmId) -> TestUser {
    TestUser::member(firm, "FIRM_ADMIN")
}

/// A new user of `firm` holding `role` in rbac (the app must run rbac). A user
/// no service has asked about yet has nothing cached, so no waiting is needed.
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

/// Waits until a consumer has declared `queue` in the app's vhost: events
/// published before any queue is bound to their type are routed nowhere.
pub async fn wait_for_queue(app: &TestApp, queue: &str) {
    use lapin::options::QueueDeclareOptions;
    use lapin::types::FieldTable;
    let Some(vhost) = app.vhost.as_ref() else {
        panic!("wait_for_queue needs TestApp::spawn_with_events");
    };
    let amqp =
        lapin::Connection::connect(&vhost.amqp_url(), lapin::ConnectionProperties::default())
            .await
            .unwrap_or_else(|e| panic!("amqp: {e}"));
    let declared = crate::broker::eventually(Duration::from_secs(10), || async {
        let Ok(ch) = amqp.create_channel().await else {
            return false;
        };
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

/// Whether `schema`'s relay publishes every outbox row within ten seconds.
pub async fn outbox_drains(app: &TestApp, schema: &str) -> bool {
    let url = app.db.admin_url();
    crate::broker::eventually(Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let Ok(mut conn) = AsyncPgConnection::establish(&url).await else {
                return false;
            };
            unpublished(&mut conn, schema).await == Some(0)
        }
    })
    .await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows of `<schema>.outbox` not yet confirmed by the broker.
pub async fn unpublished(conn: &mut AsyncPgConnection, schema: &str) -> Option<i64> {
    use diesel_async::RunQueryDsl;
    if !schema.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    diesel::sql_query(format!(
        "select count(*) as n from {schema}.outbox where published_at is null"
    ))
    .get_result::<Count>(conn)
    .await
    .ok()
    .map(|c| c.n)
}

/// A connection to the test database as its owner (to look behind the API).
pub async fn owner_connection(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap_or_else(|e| panic!("owner connection: {e}"))
}
