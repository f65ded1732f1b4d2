//! Helpers of the Logto bridge tests: the auth service wired to a wiremock
//! Logto (Management API and token endpoint), seeded organizations, and reads
//! of the bridge's tables.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};
use lawos_svc_auth::config::LogtoSettings;
use lawos_svc_auth::logto::model::{LogtoOrg, Membership, SyncLogRow};
use lawos_svc_auth::logto::{Bridge, firm_created, storage};
use lawos_svc_auth::schema::{logto_org_memberships, logto_sync_log};
use lawos_testkit::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{basic_auth, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "m2m-client";
pub const CLIENT_SECRET: &str = "m2m-secret";
pub const M2M_TOKEN: &str = "m2m-access-token";

thread_local! {
    /// The Logto the auth service of this test talks to (mount and workers
    /// run on the test's thread).
    static LOGTO: RefCell<Option<LogtoSettings>> = const { RefCell::new(None) };
}

fn bridge() -> Bridge {
    LOGTO
        .with(|l| l.borrow().clone())
        .map_or_else(Bridge::default, Bridge::new)
}

fn mount(env: &ServiceEnv) -> Mount {
    let mut mount = (lawos_svc_auth::SPEC.mount)(env);
    let inner = mount.configure.clone();
    let bridge = actix_web::web::Data::new(bridge());
    mount.configure = Arc::new(move |cfg| {
        inner(cfg);
        cfg.app_data(bridge.clone());
    });
    mount
}

fn workers(env: &ServiceEnv) -> Vec<Worker> {
    vec![firm_created::worker(env, bridge())]
}

/// The auth service with its Logto bridge pointed at the test's Logto.
pub const AUTH: ServiceSpec = ServiceSpec {
    mount,
    workers,
    ..lawos_svc_auth::SPEC
};

pub struct Fixture {
    pub app: TestApp,
    pub logto: MockServer,
}

pub fn settings(logto: &MockServer) -> LogtoSettings {
    LogtoSettings {
        endpoint: logto.uri(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        resource: "https://default.logto.app/api".to_owned(),
        timeout: Duration::from_secs(5),
    }
}

/// The token endpoint answering the M2M client (expires in an hour).
pub async fn token_endpoint(logto: &MockServer, expected_calls: impl Into<wiremock::Times>) {
    Mock::given(method("POST"))
        .and(path("/oidc/token"))
        .and(basic_auth(CLIENT_ID, CLIENT_SECRET))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(
            "resource=https%3A%2F%2Fdefault.logto.app%2Fapi",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": M2M_TOKEN,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "all",
        })))
        .expect(expected_calls)
        .named("M2M token")
        .mount(logto)
        .await;
}

async fn start(events: bool) -> Fixture {
    let logto = MockServer::start().await;
    LOGTO.with(|l| *l.borrow_mut() = Some(settings(&logto)));
    let specs = [AUTH, lawos_svc_tenants::SPEC];
    let app = if events {
        TestApp::spawn_with_events(&specs).await
    } else {
        TestApp::spawn(&specs).await
    };
    Fixture { app, logto }
}

/// Auth (bridge on) and tenants; the token endpoint answers any number of times.
pub async fn fixture() -> Fixture {
    let f = start(false).await;
    token_endpoint(&f.logto, 0..).await;
    f
}

/// Like [`fixture`] without the token endpoint (the test mounts it).
pub async fn bare_fixture() -> Fixture {
    start(false).await
}

/// With event workers (relay and consumers) running, once the auth and
/// tenants consumers' queues exist (events published before would be lost).
pub async fn fixture_with_events() -> Fixture {
    let f = start(true).await;
    token_endpoint(&f.logto, 0..).await;
    wait_for_consumer_queue(&f.app).await;
    f
}

async fn wait_for_consumer_queue(app: &TestApp) {
    for queue in ["auth.events", "tenants.events"] {
        lawos_testkit::api::wait_for_queue(app, queue).await;
    }
}

/// A firm linked to the Logto organization `org_id`.
pub async fn link_org(app: &TestApp, firm: Uuid, org_id: &str) -> LogtoOrg {
    let now = Utc::now();
    let org = LogtoOrg {
        id: Uuid::now_v7(),
        firm_id: firm,
        logto_org_id: org_id.to_owned(),
        name: format!("Org {org_id}"),
        description: None,
        created_in_logto: false,
        synced_at: None,
        created_at: now,
        updated_at: now,
    };
    let row = org.clone();
    with_tenant(&app.envs[0].db, &TenantCtx::platform(None), |conn| {
        async move { storage::insert_org(conn, &row).await }.scope_boxed()
    })
    .await
    .unwrap();
    org
}

/// Every sync-log row of `firm`, oldest first.
pub async fn sync_log(app: &TestApp, firm: Uuid) -> Vec<SyncLogRow> {
    with_tenant(&app.envs[0].db, &TenantCtx::platform(None), |conn| {
        async move {
            Ok(logto_sync_log::table
                .filter(logto_sync_log::firm_id.eq(firm))
                .order(logto_sync_log::id)
                .select(SyncLogRow::as_select())
                .load(conn)
                .await?)
        }
        .scope_boxed()
    })
    .await
    .unwrap()
}

/// Every cached membership of `firm`.
pub async fn memberships(app: &TestApp, firm: Uuid) -> Vec<Membership> {
    with_tenant(&app.envs[0].db, &TenantCtx::platform(None), |conn| {
        async move {
            Ok(logto_org_memberships::table
                .filter(logto_org_memberships::firm_id.eq(firm))
                .order(logto_org_memberships::id)
                .select(Membership::as_select())
                .load(conn)
                .await?)
        }
        .scope_boxed()
    })
    .await
    .unwrap()
}

/// A Logto organization member as the Management API lists them.
pub fn logto_member(id: &str, email: &str, roles: &[(&str, &str)]) -> Value {
    json!({
        "id": id,
        "username": null,
        "primaryEmail": email,
        "primaryPhone": null,
        "name": format!("Name {id}"),
        "avatar": null,
        "customData": {},
        "identities": {},
        "lastSignInAt": null,
        "createdAt": 1_700_000_000_000_i64,
        "updatedAt": 1_700_000_000_000_i64,
        "isSuspended": false,
        "organizationRoles": roles.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
    })
}

/// The organization template's roles.
pub fn org_roles() -> Value {
    json!([
        {"id": "role-admin", "tenantId": "default", "name": "admin", "description": "Firm administrator", "type": "User"},
        {"id": "role-member", "tenantId": "default", "name": "member", "description": "Member", "type": "User"},
    ])
}

/// `GET /api/organization-roles` answering [`org_roles`].
pub async fn roles_endpoint(logto: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/organization-roles"))
        .and(wiremock::matchers::bearer_token(M2M_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(org_roles()))
        .mount(logto)
        .await;
}

/// The error code of an envelope.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}
