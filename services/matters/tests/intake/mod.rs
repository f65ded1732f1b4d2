//! Lead intake under test: tenants (host resolution), rbac, contacts (unless
//! it is to be down) and matters with lead settings of the test's own, and
//! Meta's side (signatures, deliveries) for the webhook tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown};
use lawos_svc_matters::leads::{LeadsConfig, LeadsState, worker};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// Each test's lead settings, by its Redis prefix (unique per test).
static CONFIGS: LazyLock<Mutex<HashMap<String, LeadsConfig>>> = LazyLock::new(Mutex::default);

fn config_of(env: &ServiceEnv) -> LeadsConfig {
    CONFIGS
        .lock()
        .unwrap()
        .get(&env.config.redis_prefix)
        .cloned()
        .expect("lead settings for this test")
}

fn mount(env: &ServiceEnv) -> Mount {
    lawos_svc_matters::mount_with(env, LeadsState::shared(env, config_of(env)))
}

/// The matters service with the test's lead settings.
const MATTERS: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_matters::SPEC
};

/// Settings for a test: generous limits, the Graph API at `graph_url`.
pub fn config(graph_url: &str) -> LeadsConfig {
    LeadsConfig::for_tests(graph_url)
}

/// The services, contacts down (unreachable) unless `contacts`.
pub async fn spawn(config: LeadsConfig, contacts: bool) -> TestApp {
    let prefix = format!("test:{}", Uuid::now_v7().simple());
    CONFIGS.lock().unwrap().insert(prefix.clone(), config);
    let mut specs = vec![lawos_svc_tenants::SPEC, lawos_svc_rbac::SPEC];
    if contacts {
        specs.push(lawos_svc_contacts::SPEC);
    }
    specs.push(MATTERS);
    TestApp::spawn_with(&specs, move |c| {
        c.redis_prefix = prefix;
        if !contacts {
            c.contacts_url = "http://127.0.0.1:1".to_owned();
        }
    })
    .await
}

/// Starts the Meta delivery worker; it stops when the answer is dropped.
pub fn start_worker(app: &TestApp) -> tokio::sync::watch::Sender<bool> {
    let env = app.envs.iter().find(|e| e.name == "matters").unwrap();
    let state = LeadsState::shared(env, config_of(env));
    let (stop, shutdown) = Shutdown::new();
    tokio::spawn(worker::worker(state)(shutdown));
    stop
}

/// A firm at tenants with the verified domain `domain`.
pub async fn firm_with_domain(app: &TestApp, slug: &str, domain: &str) -> FirmId {
    let admin = TestUser::system_admin();
    let firm = crate::common::send_ok(
        app.as_user(Method::POST, "/api/v1/tenants/", &admin)
            .json(&json!({
                "name": format!("Firm {slug}"),
                "slug": slug,
                "contactEmail": format!("admin@{slug}.example"),
                "billingPlan": "enterprise",
                "createLogtoOrg": false,
            })),
        201,
    )
    .await;
    let id: FirmId = firm["id"].as_str().unwrap().parse().unwrap();
    crate::common::send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/tenants/{id}/domains"),
            &admin,
        )
        .json(&json!({ "domain": domain, "verified": true })),
        201,
    )
    .await;
    id
}

/// A lead form of `user`'s firm: its body (with the key).
pub async fn lead_form(app: &TestApp, user: &TestUser, name: &str) -> Value {
    crate::common::send_ok(
        app.as_user(Method::POST, "/api/v1/matters/lead-forms/", user)
            .json(&json!({ "name": name, "practiceArea": "Personal Injury" })),
        201,
    )
    .await
}

/// `POST /api/v1/leads/` with no token.
pub fn lead(app: &TestApp) -> reqwest::RequestBuilder {
    app.http.post(app.url("/api/v1/leads/"))
}

/// The firm's LEAD matters as `user` sees them.
pub async fn lead_matters(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let page = crate::common::send_ok(
        app.as_user(Method::GET, "/api/v1/matters/?stage=LEAD", user),
        200,
    )
    .await;
    page["data"].as_array().unwrap().clone()
}

/// A matter's parties as `user` sees them.
pub async fn parties(app: &TestApp, user: &TestUser, matter: &Value) -> Vec<Value> {
    let id = matter["id"].as_str().unwrap();
    let body = crate::common::send_ok(
        app.as_user(Method::GET, &format!("/api/v1/matters/{id}/contacts"), user),
        200,
    )
    .await;
    body["data"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| body.as_array().cloned().unwrap_or_default())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `select count(*) from matters.<table>` as the database owner (every firm).
pub async fn rows(app: &TestApp, table: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let c: Count = diesel::sql_query(format!("select count(*) as n from matters.{table}"))
        .get_result(&mut conn)
        .await
        .unwrap();
    c.n
}
