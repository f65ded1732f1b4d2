//! The billing service beside the real rbac, contacts and matters services:
//! roles given through rbac assignments, a client at contacts, a matter at
//! matters (with its lead attorney), rates set by the firm's administrator.
#![allow(dead_code)]

use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_storage::{ObjectStore, StaticCredentials, StorageConfig};
use lawos_testkit::api::{assign, id_of, send, send_ok};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub const B: &str = "/api/v1/billing";

pub fn path(p: &str) -> String {
    format!("{B}{p}")
}

/// The local S3-compatible store (`scripts/infra.sh --with-s3`, or `LAWOS_S3_*`).
pub fn store_config() -> StorageConfig {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    StorageConfig {
        endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        region: env("LAWOS_S3_REGION", "us-east-1"),
        bucket: "lawos-billing-test".to_owned(),
        path_style: true,
        credentials: Some(StaticCredentials {
            access_key: env("LAWOS_S3_ACCESS_KEY", "lawos"),
            secret_key: env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        }),
    }
}

fn mount(env: &ServiceEnv) -> Mount {
    lawos_svc_billing::mount_with(env, ObjectStore::new(&store_config()))
}

/// Billing with its PDFs in the local store.
pub const BILLING: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_billing::SPEC
};

pub async fn app() -> TestApp {
    let store = ObjectStore::new(&store_config());
    if let Err(e) = store.ensure_bucket().await {
        panic!("S3 must be reachable (scripts/infra.sh --with-s3): {e}");
    }
    TestApp::spawn_with(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_contacts::SPEC,
            lawos_svc_matters::SPEC,
            BILLING,
        ],
        |c| c.db_pool_size = 12,
    )
    .await
}

/// One firm with its people, a client and a matter led by the lawyer.
pub struct Firm {
    pub id: FirmId,
    pub admin: TestUser,
    pub lawyer: TestUser,
    pub staff: TestUser,
    pub client: Uuid,
    pub matter: Uuid,
}

pub async fn client(app: &TestApp, user: &TestUser, name: &str) -> Uuid {
    let body = send_ok(
        app.as_user(Method::POST, "/api/v1/contacts/clients/", user).json(&json!({
            "type": "CORPORATION", "fullName": name, "companyName": name,
            "email": "office@example.com", "phone": "555 010 1234",
            "address": { "street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" }
        })),
        201,
    )
    .await;
    id_of(&body)
}

/// A matter of `client` led by `lead` (member LEAD_ATTORNEY at matters).
pub async fn matter(app: &TestApp, lead: &TestUser, client: Uuid, title: &str) -> Uuid {
    let m = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", lead)
            .json(&json!({ "title": title, "matterType": "CIVIL", "clientId": client })),
        201,
    )
    .await;
    let id = id_of(&m);
    send_ok(
        app.as_user(Method::POST, &format!("/api/v1/matters/{id}/members"), lead)
            .json(&json!({ "userId": lead.user_id, "role": "LEAD_ATTORNEY" })),
        201,
    )
    .await;
    id
}

/// `user`'s billing rate (minor units per hour, USD) from 2020 on.
pub async fn rate(app: &TestApp, admin: &TestUser, user: &TestUser, rate_minor: i64) -> Value {
    send_ok(
        app.as_user(Method::POST, &path("/rates/"), admin).json(&json!({
            "userId": user.user_id, "rateMinor": rate_minor, "currency": "USD", "effectiveFrom": "2020-01-01"
        })),
        201,
    )
    .await
}

pub async fn firm(app: &TestApp) -> Firm {
    let id = FirmId::new();
    let admin = assign(app, id, "FIRM_ADMIN").await;
    let lawyer = assign(app, id, "LAWYER").await;
    let staff = assign(app, id, "STAFF").await;
    let client = client(app, &lawyer, "Acme Holdings").await;
    let matter = matter(app, &lawyer, client, "Acme v. Widgets").await;
    rate(app, &admin, &lawyer, 25_000).await;
    Firm {
        id,
        admin,
        lawyer,
        staff,
        client,
        matter,
    }
}

/// A DRAFT entry of `user` on `matter`.
pub async fn entry(
    app: &TestApp,
    user: &TestUser,
    matter: Uuid,
    minutes: i32,
    date: &str,
) -> Value {
    send_ok(
        app.as_user(Method::POST, &path("/time-entries/"), user).json(&json!({
            "matterId": matter, "activityCode": "RESEARCH", "description": "Case law on widgets",
            "durationMinutes": minutes, "workDate": date
        })),
        201,
    )
    .await
}

/// An entry submitted by its owner and approved by `approver`.
pub async fn approved(
    app: &TestApp,
    owner: &TestUser,
    approver: &TestUser,
    matter: Uuid,
    minutes: i32,
    date: &str,
) -> Uuid {
    let id = id_of(&entry(app, owner, matter, minutes, date).await);
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{id}/submit")),
            owner,
        ),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/time-entries/{id}/approve")),
            approver,
        ),
        200,
    )
    .await;
    id
}

/// A DRAFT invoice of the matter's approved work in the period.
pub async fn generate(app: &TestApp, user: &TestUser, matter: Uuid, from: &str, to: &str) -> Value {
    send_ok(
        app.as_user(Method::POST, &path("/invoices/generate"), user)
            .json(&json!({ "matterId": matter, "periodStart": from, "periodEnd": to })),
        201,
    )
    .await
}

pub async fn issue(app: &TestApp, user: &TestUser, invoice: Uuid) -> Value {
    send_ok(
        app.as_user(
            Method::POST,
            &path(&format!("/invoices/{invoice}/issue")),
            user,
        )
        .json(&json!({})),
        200,
    )
    .await
}

pub async fn status(
    app: &TestApp,
    method: Method,
    p: &str,
    user: &TestUser,
    body: Value,
) -> (u16, Value) {
    let mut r = app.as_user(method, p, user);
    if !body.is_null() {
        r = r.json(&body);
    }
    send(r).await
}

#[derive(diesel::QueryableByName, Debug)]
pub struct OutboxRow {
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
}

/// The billing outbox rows about `entity`, in order (read as the database owner).
pub async fn outbox(app: &TestApp, entity: Uuid) -> Vec<OutboxRow> {
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    diesel::sql_query(
        "select event_type, payload from billing.outbox where entity_id = $1 order by seq",
    )
    .bind::<SqlUuid, _>(entity)
    .load(&mut conn)
    .await
    .unwrap()
}

/// The business event `kind` about `entity`.
pub async fn event(app: &TestApp, entity: Uuid, kind: &str) -> Value {
    outbox(app, entity)
        .await
        .into_iter()
        .find(|r| r.event_type == kind)
        .unwrap_or_else(|| panic!("no {kind} for {entity}"))
        .payload
}
