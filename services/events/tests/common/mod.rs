//! Shared helpers for the events integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub const WAIT: Duration = Duration::from_secs(30);

pub fn auditor(firm: FirmId) -> TestUser {
    TestUser::member(firm, "FIRM_ADMIN").with_scopes(&["audit:read", "audit:verify"])
}

pub async fn get(app: &TestApp, path: &str, user: &TestUser) -> reqwest::Response {
    app.as_user(Method::GET, path, user).send().await.unwrap()
}

pub async fn get_json(app: &TestApp, path: &str, user: &TestUser) -> Value {
    let res = get(app, path, user).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

/// A service principal's token (`client_credentials`: sub == client_id).
pub fn service_token(app: &TestApp, client: &str) -> String {
    let claims = lawos_auth::Claims::new(
        lawos_testkit::tokens::ISSUER,
        client,
        lawos_testkit::tokens::AUDIENCE,
        Duration::from_secs(300),
    )
    .with_client_id(client);
    app.issuer.signer.sign(&claims).unwrap()
}

pub fn envelope(firm: Uuid, entity: Uuid, n: i64) -> EventEnvelope {
    EventEnvelope::builder("widget.updated", EntityRef::new("widget", entity))
        .firm(firm)
        .user(Some(Uuid::now_v7()))
        .data(json!({"n": n, "price": 12.5, "nested": {"b": [1, 2], "a": "é"}}))
        .build()
}

/// The events service's pool in a running app.
pub fn events_db(app: &TestApp) -> &lawos_db::DbPool {
    &app.envs.iter().find(|e| e.name == "events").unwrap().db
}

pub async fn admin(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap()
}

#[derive(diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// A count as the superuser sees it (no RLS).
pub async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = admin(app).await;
    diesel::sql_query(sql)
        .bind::<Text, _>(bind)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
}

/// Every page of a list, following cursors.
pub async fn all_pages(app: &TestApp, path: &str, user: &TestUser) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=100&cursor={c}"),
            None => format!("{path}{sep}limit=100"),
        };
        let page = get_json(app, &url, user).await;
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

pub async fn create_firm(app: &TestApp, slug: &str) -> FirmId {
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &TestUser::system_admin())
        .json(&json!({
            "name": format!("Firm {slug}"),
            "slug": slug,
            "contactEmail": format!("admin@{slug}.example"),
            "billingPlan": "enterprise",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "create {slug}");
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

pub async fn rename_firm(app: &TestApp, firm: FirmId, name: &str) {
    let res = app
        .as_user(
            Method::PATCH,
            &format!("/api/v1/tenants/{firm}"),
            &TestUser::system_admin(),
        )
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "rename");
}

/// Waits until the audit consumer has declared its queue: events published to
/// the exchange before any queue is bound to it are not routed anywhere.
pub async fn wait_for_consumer_queue(app: &TestApp) {
    use lapin::options::QueueDeclareOptions;
    use lapin::types::FieldTable;
    let amqp = lapin::Connection::connect(
        &app.vhost.as_ref().unwrap().amqp_url(),
        lapin::ConnectionProperties::default(),
    )
    .await
    .unwrap();
    let declared = lawos_testkit::broker::eventually(WAIT, || async {
        let ch = amqp.create_channel().await.unwrap();
        ch.queue_declare(
            "events.events".into(),
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
    assert!(declared, "the events consumer's queue exists");
    let _ = amqp.close(0, "ready".into()).await;
}
