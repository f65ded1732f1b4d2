//! The shared HTTP layer as every service answers it: the error envelope for
//! unknown routes, wrong methods, malformed JSON and oversized bodies; request
//! ids; operational routes.

mod common;

use common::{app, expect_error};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn framework_errors_answer_with_the_envelope() {
    let app = app().await;
    let admin = TestUser::system_admin();
    let res = app
        .as_user(Method::GET, "/api/v1/nowhere", &admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::DELETE, "/api/v1/tenants/", &admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 405, "METHOD_NOT_ALLOWED").await;
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "MALFORMED_JSON").await;
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(200 * 1024)))
        .send()
        .await
        .unwrap();
    expect_error(res, 413, "PAYLOAD_TOO_LARGE").await;
    let res = app
        .as_user(Method::GET, "/api/v1/tenants/not-a-uuid", &admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .json(&serde_json::json!({ "name": "x", "unknownField": 1 }))
        .send()
        .await
        .unwrap();
    expect_error(res, 422, "VALIDATION_ERROR").await;
}

#[tokio::test]
async fn request_ids_are_accepted_or_generated_and_echoed() {
    let app = app().await;
    let res = app
        .http
        .get(app.url("/api/v1/tenants/"))
        .header("x-request-id", "req-abc123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "req-abc123");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["requestId"], "req-abc123");
    let res = app
        .http
        .get(app.url("/livez"))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    let generated = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert_ne!(generated, "bad id with spaces");
}

#[tokio::test]
async fn operational_routes_answer() {
    let app = app().await;
    let live: Value = app
        .http
        .get(app.url("/livez"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live["status"], "ok");
    let res = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["checks"]["postgres:tenants"], "ok");
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/tenants/"]["post"].is_object());
    let page = app
        .http
        .get(app.url("/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/api/v1/tenants/{firmId}/domains"), "{page}");
    app.http
        .get(app.url("/api/v1/tenants/"))
        .send()
        .await
        .unwrap();
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn responses_carry_rate_limit_headers_per_principal() {
    // The specified 1,000 a minute gives a token back every 60 ms, which a slow
    // machine can spend between two requests; an hour's period keeps the
    // arithmetic exact (one token back every 3.6 s) with the same header figures.
    let hourly = lawos_cache::RatePolicy {
        period: std::time::Duration::from_secs(3600),
        ..lawos_cache::ClientType::Web.default_policy()
    };
    let app = lawos_testkit::TestApp::spawn_with(&[lawos_svc_tenants::SPEC], |c| {
        c.rate_limit = true;
        c.rate_policies = [hourly; 3];
    })
    .await;
    let admin = TestUser::system_admin();
    let first = app
        .as_user(Method::GET, "/api/v1/tenants/", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers().get("x-ratelimit-limit").unwrap(), "1000");
    let remaining = |r: &reqwest::Response| -> u32 {
        r.headers()
            .get("x-ratelimit-remaining")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = remaining(&first);
    let second = app
        .as_user(Method::GET, "/api/v1/tenants/", &admin)
        .send()
        .await
        .unwrap();
    assert!(
        remaining(&second) < before,
        "the same principal spends its allowance"
    );
    let other = app
        .as_user(Method::GET, "/api/v1/tenants/", &TestUser::system_admin())
        .send()
        .await
        .unwrap();
    assert!(
        remaining(&other) > remaining(&second),
        "another principal has its own allowance"
    );
    let service = lawos_auth::Claims::new(
        lawos_testkit::tokens::ISSUER,
        "lawos-tasks",
        lawos_testkit::tokens::AUDIENCE,
        std::time::Duration::from_secs(300),
    )
    .with_client_id("lawos-tasks");
    let service = app.issuer.signer.sign(&service).unwrap();
    let internal = app
        .http
        .get(app.url("/api/v1/tenants/"))
        .bearer_auth(service)
        .send()
        .await
        .unwrap();
    assert!(
        internal.headers().get("x-ratelimit-limit").is_none(),
        "service-to-service calls are not rate-limited"
    );
    let probe = app.http.get(app.url("/livez")).send().await.unwrap();
    assert!(
        probe.headers().get("x-ratelimit-limit").is_none(),
        "probes are not rate-limited"
    );
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_response() {
    let app = app().await;
    let admin = TestUser::system_admin();
    let body = common::firm_body("once-only");
    let first = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .header("idempotency-key", "create-once-only")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();

    let again = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .header("idempotency-key", "create-once-only")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        201,
        "the first response, not a 409 for the slug"
    );
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert!(again.headers().get("location").is_some());
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);

    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .header("idempotency-key", "create-once-only")
        .json(&common::firm_body("something-else"))
        .send()
        .await
        .unwrap();
    expect_error(res, 422, "IDEMPOTENCY_KEY_REUSED").await;

    let list: Value = app
        .as_user(Method::GET, "/api/v1/tenants/", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total"], 1, "the replay created nothing");
}
