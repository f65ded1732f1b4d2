//! Shared set-up: the service with a test bucket, users through rbac, matters
//! at the matters service, uploads through presigned URLs with plain reqwest.
#![allow(dead_code)]

use std::time::Duration;

use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_storage::{ObjectStore, StaticCredentials, StorageConfig};
use lawos_svc_documents::DocumentsConfig;
use lawos_svc_documents::state::DocumentsState;
use lawos_testkit::api::{firm_admin, id_of, send, send_ok};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const BUCKET: &str = "lawos-documents-test";

pub fn store_config() -> StorageConfig {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    StorageConfig {
        endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        region: env("LAWOS_S3_REGION", "us-east-1"),
        bucket: BUCKET.to_owned(),
        path_style: true,
        credentials: Some(StaticCredentials {
            access_key: env("LAWOS_S3_ACCESS_KEY", "lawos"),
            secret_key: env("LAWOS_S3_SECRET_KEY", "lawos-secret-key"),
        }),
    }
}

pub fn config() -> DocumentsConfig {
    DocumentsConfig {
        max_bytes: 5 * 1024 * 1024 * 1024,
        direct_max_bytes: 32 * 1024,
        upload_url_ttl: Duration::from_secs(300),
        download_url_ttl: Duration::from_secs(60),
        pending_after: Duration::from_secs(24 * 3600),
        retention: Duration::from_secs(30 * 86_400),
        job_interval: Duration::from_secs(3600),
        extract_interval: Duration::from_secs(5),
        extract_max_bytes: 20 * 1024 * 1024,
        ensure_bucket: false,
    }
}

fn mount(env: &ServiceEnv) -> Mount {
    lawos_svc_documents::mount_with(env, &store_config(), config())
}

pub const DOCUMENTS: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_documents::SPEC
};

pub fn store() -> ObjectStore {
    ObjectStore::new(&store_config())
}

/// rbac, contacts, matters and documents; the test bucket exists.
pub async fn app() -> TestApp {
    if std::env::var("LAWOS_TEST_LOG").is_ok() {
        let _ = Box::leak(Box::new(lawos_telemetry::init("documents-test")));
    }
    if let Err(e) = store().ensure_bucket().await {
        panic!("S3 must be reachable (scripts/infra.sh --with-s3): {e}");
    }
    TestApp::spawn(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
        DOCUMENTS,
    ])
    .await
}

/// The service's state, for running its jobs directly.
pub fn state(app: &TestApp) -> DocumentsState {
    let env = app.envs.iter().find(|e| e.name == "documents").unwrap();
    lawos_svc_documents::state(env, &store_config(), config())
}

/// A new user of `firm` holding `role` in rbac.
pub async fn user(app: &TestApp, firm: FirmId, role: &str) -> TestUser {
    lawos_testkit::api::assign(app, firm, role).await
}

/// A matter of `user`'s firm at the matters service.
pub async fn matter(app: &TestApp, user: &TestUser) -> Uuid {
    let body = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", user)
            .json(&json!({ "title": "Smith v. Jones", "matterType": "CIVIL" })),
        201,
    )
    .await;
    id_of(&body)
}

/// Grants `action` on `path` (`MATTER/{id}` or `MATTER/{id}/DOCUMENT/{doc}`) to
/// `user`, before the user's first request (nothing cached yet).
pub async fn grant(app: &TestApp, firm: FirmId, path: &str, user: &TestUser, action: &str) {
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/{path}/grants"),
            &firm_admin(firm),
        )
        .json(&json!({ "userId": user.user_id, "action": action, "reason": "test" })),
        201,
    )
    .await;
}

pub fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The body of `POST /api/v1/documents/` for `bytes` under `matter`.
pub fn create_body(matter: Uuid, name: &str, mime: &str, bytes: &[u8]) -> Value {
    json!({
        "resourceType": "MATTER",
        "resourceId": matter,
        "category": "PLEADING",
        "fileName": name,
        "mimeType": mime,
        "fileSize": bytes.len(),
        "sha256": sha_hex(bytes),
        "tags": ["Motion", "draft"],
    })
}

/// Starts an upload; the 201 body (document, version, upload).
pub async fn start(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/documents/", user)
            .json(body),
        201,
    )
    .await
}

/// PUTs `bytes` to a presigned upload with a plain client (the signed headers
/// as given, the body's own length); the store's status.
pub async fn put(upload: &Value, bytes: &[u8]) -> u16 {
    let mut req = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (k, v) in upload["headers"].as_object().unwrap() {
        if k != "content-length" {
            req = req.header(k.as_str(), v.as_str().unwrap());
        }
    }
    req.body(bytes.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub fn ids(started: &Value) -> (Uuid, Uuid) {
    (
        started["document"]["id"].as_str().unwrap().parse().unwrap(),
        started["version"]["id"].as_str().unwrap().parse().unwrap(),
    )
}

pub async fn complete(app: &TestApp, user: &TestUser, doc: Uuid, version: Uuid) -> (u16, Value) {
    send(app.as_user(
        Method::POST,
        &format!("/api/v1/documents/{doc}/versions/{version}/complete"),
        user,
    ))
    .await
}

/// A whole presigned upload under `matter`, with `extra` fields; the document.
pub async fn upload(
    app: &TestApp,
    user: &TestUser,
    matter: Uuid,
    name: &str,
    mime: &str,
    bytes: &[u8],
    extra: Value,
) -> Value {
    let mut body = create_body(matter, name, mime, bytes);
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let started = start(app, user, &body).await;
    assert_eq!(put(&started["upload"], bytes).await, 200);
    let (doc, version) = ids(&started);
    let (status, body) = complete(app, user, doc, version).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn status(app: &TestApp, method: Method, path: &str, user: &TestUser) -> u16 {
    send(app.as_user(method, path, user)).await.0
}

/// The ids a list or search answers.
pub async fn listed(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let body = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/documents/{query}"), user),
        200,
    )
    .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}
