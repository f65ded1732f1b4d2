//! A small service that decides with `lawos-authz` exactly as a real one would
//! ("probe": matters and clients it does not own, a matters table of its own for
//! lists), run beside the real rbac service with events flowing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_authz::{Authz, Resource};
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::ServiceSchema;
use lawos_db::tenant::ScopedFutureExt;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Worker};
use lawos_tenancy::Tenant;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

diesel::table! {
    probe.matters (id) {
        id -> Uuid,
        firm_id -> Uuid,
        title -> Text,
    }
}

pub const PROBE: ServiceSpec = ServiceSpec {
    name: "probe",
    port: 0,
    schema,
    mount,
    workers,
    queues: &[],
};

fn schema() -> ServiceSchema {
    ServiceSchema {
        service: "probe",
        migrations: None,
        setup_sql: vec![
            "create table if not exists probe.matters (id uuid primary key, \
             firm_id uuid not null, title text not null); \
             select probe.lawos_tenant_table('probe.matters');"
                .to_owned(),
        ],
    }
}

/// The probe's Authz in `app` (for its counters): the instance its routes use.
pub fn authz(app: &TestApp) -> Authz {
    let env = app.envs.iter().find(|e| e.name == "probe").unwrap();
    Authz::for_service(env)
}

#[derive(Clone)]
struct State {
    authz: Authz,
    db: lawos_db::DbPool,
}

fn mount(env: &ServiceEnv) -> Mount {
    let state = web::Data::new(State {
        authz: Authz::for_service(env),
        db: env.db.clone(),
    });
    env.mount(
        move |cfg| {
            cfg.app_data(state.clone()).service(
                web::scope("/api/v1/probe")
                    .route("/matters", web::get().to(list_matters))
                    .route("/matters/{id}", web::get().to(get_matter))
                    .route("/matters/{id}", web::patch().to(patch_matter))
                    .route("/clients/{id}", web::get().to(get_client))
                    .route("/clients/{id}", web::patch().to(patch_client)),
            );
        },
        json!({}),
    )
}

fn workers(env: &ServiceEnv) -> Vec<Worker> {
    vec![Authz::for_service(env).worker(env)]
}

async fn get_matter(
    state: web::Data<State>,
    tenant: Tenant,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resource = Resource::matter(*id);
    let p = &tenant.principal;
    state
        .authz
        .authorize(p, tenant.firm_id, "matters:read", &resource)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "id": *id })))
}

async fn patch_matter(
    state: web::Data<State>,
    tenant: Tenant,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resource = Resource::matter(*id);
    let p = &tenant.principal;
    state
        .authz
        .authorize(p, tenant.firm_id, "matters:update", &resource)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "id": *id })))
}

async fn list_matters(state: web::Data<State>, tenant: Tenant) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .authorize_firm(&tenant.principal, tenant.firm_id, "matters:read")
        .await?;
    let visible = access.matter_filter("matters:read")?;
    let ids: Vec<Uuid> = lawos_db::with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matters::table
                .filter(visible.predicate(matters::id))
                .order(matters::id)
                .select(matters::id)
                .load(conn)
                .await
                .map_err(ApiError::internal)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": ids })))
}

fn client_body(id: Uuid) -> Value {
    json!({ "id": id, "name": "Ada Lovelace", "ssn": "123-45-6789", "dateOfBirth": "1815-12-10" })
}

async fn get_client(
    state: web::Data<State>,
    tenant: Tenant,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resource = Resource::client(*id);
    let p = &tenant.principal;
    let access = state
        .authz
        .authorize(p, tenant.firm_id, "clients:read", &resource)
        .await?;
    let mut body = client_body(*id);
    access.redact("CLIENT", &mut body);
    Ok(HttpResponse::Ok().json(body))
}

async fn patch_client(
    state: web::Data<State>,
    tenant: Tenant,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let resource = Resource::client(*id);
    let p = &tenant.principal;
    let access = state
        .authz
        .authorize(p, tenant.firm_id, "clients:update", &resource)
        .await?;
    access.check_writes("CLIENT", &body)?;
    Ok(HttpResponse::Ok().json(json!({ "id": *id })))
}

// ---- helpers for the tests ----

/// rbac and the probe, with events flowing and the probe's invalidation
/// subscription up (events sent before it would not reach it).
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with_events(&[lawos_svc_rbac::SPEC, PROBE]).await;
    let up = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        authz(&app).stats().sessions >= 1
    })
    .await;
    assert!(up, "the probe's invalidation subscription did not start");
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

/// A user of `firm` holding `role` in rbac (and in the token's roles claim),
/// once the assignment's `permission.changed` has reached the probe.
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

/// Grants `action` on `path` (`MATTER/<id>`) to `user`; answers the grant id.
pub async fn grant(app: &TestApp, firm: FirmId, path: &str, user: UserId, body: Value) -> String {
    let mut body = body;
    body["userId"] = json!(user);
    let grant = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/{path}/grants"),
            &firm_admin(firm),
        )
        .json(&body),
        201,
    )
    .await;
    grant["id"].as_str().unwrap().to_owned()
}

pub async fn revoke(app: &TestApp, firm: FirmId, path: &str, grant: &str) {
    let (status, body) = send(app.as_user(
        Method::DELETE,
        &format!("/api/v1/rbac/resources/{path}/grants/{grant}"),
        &firm_admin(firm),
    ))
    .await;
    assert!(status == 200 || status == 204, "{status} {body}");
}

/// The status `user` gets for `method path`.
pub async fn status(app: &TestApp, method: Method, path: &str, user: &TestUser) -> u16 {
    send(app.as_user(method, path, user).json(&json!({})))
        .await
        .0
}

/// How long until `user`'s `GET path` answers `want` (polling every 10 ms, at most `within`).
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

/// Inserts matters for `firm` into the probe's table (as the database owner).
pub async fn seed_matters(app: &TestApp, firm: FirmId, ids: &[Uuid]) {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    for id in ids {
        diesel::insert_into(matters::table)
            .values((
                matters::id.eq(id),
                matters::firm_id.eq(firm.0),
                matters::title.eq("probe"),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

pub async fn listed(app: &TestApp, user: &TestUser) -> Vec<Uuid> {
    let body = send_ok(app.as_user(Method::GET, "/api/v1/probe/matters", user), 200).await;
    serde_json::from_value(body["data"].clone()).unwrap()
}
