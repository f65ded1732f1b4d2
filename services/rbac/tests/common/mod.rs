//! Shared helpers for the rbac integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::{FirmId, UserId};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

pub async fn app() -> TestApp {
    TestApp::spawn(&[lawos_svc_rbac::SPEC]).await
}

/// A platform administrator holding the access-grants scopes.
pub fn platform_admin() -> TestUser {
    TestUser::system_admin().with_scopes(&[
        "access-grants:create",
        "access-grants:read",
        "access-grants:revoke",
    ])
}

pub fn firm_admin(firm: FirmId) -> TestUser {
    TestUser::member(firm, "FIRM_ADMIN")
}

/// A request as `user`; a platform administrator names the firm with X-Firm-Id.
pub fn req(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    firm: Option<FirmId>,
) -> reqwest::RequestBuilder {
    let r = app.as_user(method, path, user);
    match firm {
        Some(f) => r.header("x-firm-id", f.to_string()),
        None => r,
    }
}

pub async fn send_ok(r: reqwest::RequestBuilder, status: u16) -> Value {
    let res = r.send().await.unwrap();
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

/// Asserts the Backstage envelope with `code` and returns it.
pub async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    body
}

pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Assigns `role` to `user` in `firm` as the firm's administrator.
pub async fn assign(app: &TestApp, firm: FirmId, user: UserId, role: &str) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/assignments", &firm_admin(firm))
            .json(&json!({ "userId": user, "role": role })),
        201,
    )
    .await
}

pub async fn grant(app: &TestApp, firm: FirmId, path: &str, body: Value) -> Value {
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/{path}/grants"),
            &firm_admin(firm),
        )
        .json(&body),
        201,
    )
    .await
}

/// The user's capabilities, read by the user themself.
pub async fn capabilities(app: &TestApp, firm: FirmId, user: &TestUser) -> Value {
    send_ok(
        app.as_user(
            Method::GET,
            &format!(
                "/api/v1/rbac/firms/{firm}/users/{}/capabilities",
                user.user_id
            ),
            user,
        ),
        200,
    )
    .await
}

pub fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs a query returning one `line` text column, as the database owner.
pub async fn lines(app: &TestApp, sql: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let rows: Vec<Row> = diesel::sql_query(sql).load(&mut conn).await.unwrap();
    rows.into_iter().map(|r| r.line).collect()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let row: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
    row.n
}

/// `permission.changed` payloads in rbac.outbox, oldest first.
pub async fn permission_changes(app: &TestApp) -> Vec<Value> {
    lines(
        app,
        "select payload::text as line from rbac.outbox where event_type = 'permission.changed' order by seq",
    )
    .await
    .into_iter()
    .map(|l| serde_json::from_str(&l).unwrap())
    .collect()
}
