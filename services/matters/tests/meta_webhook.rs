//! The Meta lead-ads webhook: the subscription challenge, signatures, one
//! delivery per leadgen id, the Graph API fetch (wiremock standing in for
//! Meta) into a contact and a LEAD matter, and retries after Graph failures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod intake;

use std::time::Duration;

use common::{assign, code, send, send_ok};
use intake::{config, lead_matters, parties, rows, spawn, start_worker};
use lawos_core::FirmId;
use lawos_svc_matters::leads::meta::sign;
use lawos_testkit::broker::eventually;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "meta-app-secret";
const VERIFY: &str = "verify-me";
const PAGE: &str = "1234567890";
const FORM: &str = "555";

async fn meta_app(graph: &MockServer) -> TestApp {
    let mut settings = config(&format!("{}/v21.0", graph.uri()));
    settings.meta_app_secret = Some(SECRET.to_owned());
    settings.meta_verify_token = Some(VERIFY.to_owned());
    spawn(settings, true).await
}

/// Maps the page to `user`'s firm with the page token `page-token`.
async fn map_page(app: &TestApp, user: &TestUser) -> Value {
    send_ok(
        app.as_user(Method::POST, "/api/v1/matters/meta-pages/", user)
            .json(&json!({
                "pageId": PAGE, "name": "Smith Law", "practiceArea": "Immigration",
                "accessToken": "page-token"
            })),
        201,
    )
    .await
}

fn notification(leadgen: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "object": "page", "entry": [{ "id": PAGE, "time": 1_700_000_000, "changes": [
        { "field": "leadgen", "value": { "leadgen_id": leadgen, "page_id": PAGE, "form_id": FORM, "created_time": 1_700_000_000 } }
    ]}]}))
    .unwrap()
}

fn deliver(app: &TestApp, body: &[u8], signature: Option<String>) -> reqwest::RequestBuilder {
    let mut req = app
        .http
        .post(app.url("/webhooks/meta/"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    req
}

fn graph_lead(leadgen: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": leadgen,
        "created_time": "2026-02-02T10:00:00+0000",
        "field_data": [
            { "name": "full_name", "values": ["Maria Garcia"] },
            { "name": "email", "values": ["maria@example.com"] },
            { "name": "phone_number", "values": ["+15550104444"] },
            { "name": "visa_type", "values": ["H-1B"] }
        ]
    }))
}

async fn matters_appear(app: &TestApp, user: &TestUser, n: usize) -> bool {
    eventually(Duration::from_secs(15), || async {
        lead_matters(app, user).await.len() >= n
    })
    .await
}

#[tokio::test]
async fn the_subscription_challenge_needs_the_verify_token() {
    let graph = MockServer::start().await;
    let app = meta_app(&graph).await;
    let res = app
        .http
        .get(app.url("/webhooks/meta/"))
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", VERIFY),
            ("hub.challenge", "1158201444"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(res.text().await.unwrap(), "1158201444");
    for query in [
        [
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "wrong"),
            ("hub.challenge", "1"),
        ],
        [
            ("hub.mode", "unsubscribe"),
            ("hub.verify_token", VERIFY),
            ("hub.challenge", "1"),
        ],
    ] {
        let (status, body) = send(app.http.get(app.url("/webhooks/meta/")).query(&query)).await;
        assert_eq!(
            (status, code(&body)),
            (403, "PERMISSION_DENIED"),
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn without_settings_the_webhook_says_it_is_not_configured() {
    let app = spawn(config("http://127.0.0.1:1"), true).await;
    let (status, body) = send(app.http.get(app.url("/webhooks/meta/")).query(&[
        ("hub.mode", "subscribe"),
        ("hub.verify_token", "x"),
        ("hub.challenge", "1"),
    ]))
    .await;
    assert_eq!(
        (status, code(&body)),
        (503, "SERVICE_UNAVAILABLE"),
        "{body}"
    );
    let body = notification("1");
    let (status, _) = send(deliver(&app, &body, Some(sign("x", &body)))).await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn bad_signatures_are_refused_and_nothing_is_stored() {
    let graph = MockServer::start().await;
    let app = meta_app(&graph).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    map_page(&app, &lawyer).await;
    let body = notification("900001");
    let (status, err) = send(deliver(&app, &body, None)).await;
    assert_eq!((status, code(&err)), (401, "AUTH_TOKEN_MISSING"), "{err}");
    for signature in [
        sign("another-secret", &body),
        sign(SECRET, b"another body"),
        "sha256=nothex".to_owned(),
        "sha1=abcdef".to_owned(),
    ] {
        let (status, err) = send(deliver(&app, &body, Some(signature))).await;
        assert_eq!((status, code(&err)), (401, "AUTH_TOKEN_INVALID"), "{err}");
    }
    assert_eq!(rows(&app, "lead_deliveries").await, 0);
    assert!(graph.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_signed_lead_is_fetched_and_taken_in_once() {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v21.0/777001"))
        .and(query_param("access_token", "page-token"))
        .respond_with(graph_lead("777001"))
        .mount(&graph)
        .await;
    let app = meta_app(&graph).await;
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    let page = map_page(&app, &lawyer).await;
    assert!(page.get("accessToken").is_none() && page.get("tokenCiphertext").is_none());

    let body = notification("777001");
    let answer = send_ok(deliver(&app, &body, Some(sign(SECRET, &body))), 200).await;
    assert_eq!(answer["received"], 1);
    assert!(
        matters_appear(&app, &lawyer, 1).await,
        "the lead was not taken in"
    );
    let matter = lead_matters(&app, &lawyer).await[0].clone();
    assert_eq!(matter["title"], "Lead: Maria Garcia");
    assert_eq!(matter["practiceArea"], "Immigration");
    assert_eq!(matter["description"], "visa_type: H-1B");
    let party = parties(&app, &lawyer, &matter).await;
    assert_eq!(party[0]["role"], "CLIENT");

    // Meta retries the same delivery: recorded once, taken in once.
    let again = send_ok(deliver(&app, &body, Some(sign(SECRET, &body))), 200).await;
    assert_eq!(
        (again["received"].clone(), again["repeated"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(rows(&app, "lead_deliveries").await, 1);
    assert_eq!(rows(&app, "leads").await, 1);
    assert_eq!(lead_matters(&app, &lawyer).await.len(), 1);
    assert_eq!(graph.received_requests().await.unwrap().len(), 1);

    // A page no firm mapped is dropped, answered 200 all the same.
    let stray = serde_json::to_vec(
        &json!({ "object": "page", "entry": [{ "id": "42", "changes": [
            { "field": "leadgen", "value": { "leadgen_id": "1", "page_id": "42" } }
        ]}]}),
    )
    .unwrap();
    let answer = send_ok(deliver(&app, &stray, Some(sign(SECRET, &stray))), 200).await;
    assert_eq!(answer["unmapped"], 1);
    assert_eq!(rows(&app, "lead_deliveries").await, 1);

    // Another firm sees nothing of it, and cannot map the same page.
    let outsider = assign(&app, FirmId::new(), "LAWYER").await;
    assert!(lead_matters(&app, &outsider).await.is_empty());
    let pages = send_ok(
        app.as_user(Method::GET, "/api/v1/matters/meta-pages/", &outsider),
        200,
    )
    .await;
    assert_eq!(pages["data"], json!([]));
    let (status, _) = send(
        app.as_user(Method::POST, "/api/v1/matters/meta-pages/", &outsider)
            .json(&json!({ "pageId": PAGE, "accessToken": "mine" })),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_graph_failure_is_retried_until_the_lead_is_taken_in() {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v21.0/888001"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/888001"))
        .respond_with(graph_lead("888001"))
        .with_priority(2)
        .mount(&graph)
        .await;
    let app = meta_app(&graph).await;
    let _worker = start_worker(&app);
    let lawyer = assign(&app, FirmId::new(), "LAWYER").await;
    map_page(&app, &lawyer).await;

    let body = notification("888001");
    let answer = send_ok(deliver(&app, &body, Some(sign(SECRET, &body))), 200).await;
    assert_eq!(answer["received"], 1);
    assert!(
        matters_appear(&app, &lawyer, 1).await,
        "the lead was not retried"
    );
    assert_eq!(rows(&app, "leads").await, 1);
    assert!(graph.received_requests().await.unwrap().len() >= 3);
    let done = eventually(lawos_testkit::broker::PROPAGATE, || async {
        status_of(&app, "888001").await.as_deref() == Some("DONE")
    })
    .await;
    assert!(done);
}

#[tokio::test]
async fn page_mappings_are_for_those_who_open_matters() {
    let graph = MockServer::start().await;
    let app = meta_app(&graph).await;
    let firm = FirmId::new();
    let paralegal = assign(&app, firm, "PARALEGAL").await;
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/matters/meta-pages/", &paralegal)
            .json(&json!({ "pageId": PAGE, "accessToken": "t" })),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let lawyer = assign(&app, firm, "LAWYER").await;
    let (status, body) = send(
        app.as_user(Method::POST, "/api/v1/matters/meta-pages/", &lawyer)
            .json(&json!({ "pageId": "not-digits", "formId": "x" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(common::fields(&body), ["pageId", "formId", "accessToken"]);
    assert_eq!(rows(&app, "meta_pages").await, 0);
}

async fn status_of(app: &TestApp, leadgen: &str) -> Option<String> {
    use diesel::sql_types::Text;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
    }
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let rows: Vec<Row> =
        diesel::sql_query("select status from matters.lead_deliveries where leadgen_id = $1")
            .bind::<Text, _>(leadgen)
            .load(&mut conn)
            .await
            .unwrap();
    rows.into_iter().next().map(|r| r.status)
}
