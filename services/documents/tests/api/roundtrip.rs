//! The whole round trip through the real store: create → PUT to the presigned
//! URL with a plain client → complete → GET the presigned URL → the same bytes.

use lawos_core::FirmId;
use lawos_testkit::api::{code, fields, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn create_put_complete_and_download_give_back_the_same_bytes() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
    let started = start(
        &app,
        &lawyer,
        &create_body(m, "Motion to dismiss.pdf", "application/pdf", &bytes),
    )
    .await;
    let (doc, version) = ids(&started);
    assert_eq!(started["document"]["status"], "PENDING");
    assert_eq!(started["document"]["matterId"], m.to_string());
    assert_eq!(started["version"]["status"], "PENDING");
    assert_eq!(started["upload"]["method"], "PUT");
    let url = started["upload"]["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/{firm}/{doc}/{version}")),
        "the key is ids only: {url}"
    );
    assert!(!url.contains("Motion"), "no user input in the key");

    // Before completion: pending, no download.
    let before = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/documents/{doc}"), &lawyer),
        200,
    )
    .await;
    assert_eq!(before["status"], "PENDING");
    assert!(before["download"].is_null());
    let (s, body) = send(app.as_user(
        Method::GET,
        &format!("/api/v1/documents/{doc}/content"),
        &lawyer,
    ))
    .await;
    assert_eq!((s, code(&body)), (409, "DOCUMENT_NOT_AVAILABLE"));

    assert_eq!(put(&started["upload"], &bytes).await, 200);
    let (s, done) = complete(&app, &lawyer, doc, version).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "AVAILABLE");
    assert_eq!(done["version"], 1);
    assert_eq!(done["fileSize"], bytes.len());
    assert_eq!(done["sha256"], sha_hex(&bytes));
    assert_eq!(done["currentVersion"]["isCurrent"], true);
    // Completing twice is refused.
    let (s, again) = complete(&app, &lawyer, doc, version).await;
    assert_eq!((s, code(&again)), (409, "DOCUMENT_VERSION_NOT_PENDING"));

    // The presigned GET, with a plain client: the same bytes, the file name.
    let got = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/documents/{doc}"), &lawyer),
        200,
    )
    .await;
    let res = reqwest::get(got["download"]["url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''Motion%20to%20dismiss.pdf"),
        "{disposition}"
    );
    let downloaded = res.bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), bytes.as_slice());
    assert_eq!(sha_hex(&downloaded), sha_hex(&bytes));

    // Streamed through the service: the same bytes again.
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/documents/{doc}/content"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Each download was recorded, filed under the matter.
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    let views = count(&mut conn, "document.viewed", doc).await;
    assert!(views >= 2, "views recorded: {views}");
    assert_eq!(count(&mut conn, "document.uploaded", doc).await, 1);
}

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(conn: &mut diesel_async::AsyncPgConnection, event: &str, doc: uuid::Uuid) -> i64 {
    use diesel_async::RunQueryDsl;
    let row: N = diesel::sql_query(
        "select count(*) as n from documents.outbox where event_type = $1 and entity_id = $2 \
         and payload->'context'->>'type' = 'matter'",
    )
    .bind::<diesel::sql_types::Text, _>(event)
    .bind::<diesel::sql_types::Uuid, _>(doc)
    .get_result(conn)
    .await
    .unwrap();
    row.n
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/", &lawyer)
            .json(&json!({
                "resourceType": "PLANET",
                "category": "MEMO",
                "fileName": "",
                "mimeType": "pdf",
                "fileSize": 0,
                "sha256": "xyz",
                "tags": [""],
            })),
    )
    .await;
    assert_eq!((s, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    let mut named = fields(&body);
    named.sort();
    assert_eq!(
        named,
        [
            "category",
            "fileName",
            "fileSize",
            "mimeType",
            "resourceType",
            "sha256",
            "tags"
        ]
    );
    // A matter that does not exist (at the matters service) is named.
    let mut body = create_body(uuid::Uuid::now_v7(), "a.txt", "text/plain", b"abc");
    body["resourceId"] = json!(uuid::Uuid::now_v7());
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/", &lawyer)
            .json(&body),
    )
    .await;
    assert_eq!(
        (s, fields(&body)),
        (422, vec!["resourceId".to_owned()]),
        "{body}"
    );
    assert!(listed(&app, &lawyer, "").await.is_empty());
    // A role without documents:create is refused.
    let admin = user(&app, firm, "FIRM_ADMIN").await;
    let m = matter(&app, &lawyer).await;
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/", &admin)
            .json(&create_body(m, "a.txt", "text/plain", b"abc")),
    )
    .await;
    assert_eq!((s, code(&body)), (403, "PERMISSION_DENIED"));
}
