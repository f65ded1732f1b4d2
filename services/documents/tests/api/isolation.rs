//! A second firm sees nothing of the first's documents, and a presigned URL
//! cannot be turned into another firm's object (the key is the service's,
//! and signed).

use lawos_core::FirmId;
use lawos_testkit::api::{code, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn another_firm_gets_404_everywhere_and_empty_lists() {
    let app = app().await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let lawyer = user(&app, firm, "LAWYER").await;
    let stranger = user(&app, other, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let doc = upload(
        &app,
        &lawyer,
        m,
        "brief.txt",
        "text/plain",
        b"privileged strategy",
        json!({}),
    )
    .await;
    let id = doc["id"].as_str().unwrap();
    let version = doc["currentVersion"]["id"].as_str().unwrap();
    for (method, path) in [
        (Method::GET, format!("/api/v1/documents/{id}")),
        (Method::GET, format!("/api/v1/documents/{id}/content")),
        (Method::GET, format!("/api/v1/documents/{id}/versions")),
        (
            Method::GET,
            format!("/api/v1/documents/{id}/versions/{version}"),
        ),
        (
            Method::GET,
            format!("/api/v1/documents/{id}/versions/{version}/content"),
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/versions/{version}/complete"),
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/versions/{version}/restore"),
        ),
        (Method::GET, format!("/api/v1/documents/{id}/events")),
        (Method::PUT, format!("/api/v1/documents/{id}/archive")),
        (Method::PUT, format!("/api/v1/documents/{id}/restore")),
        (Method::DELETE, format!("/api/v1/documents/{id}")),
    ] {
        let (s, body) = send(app.as_user(method.clone(), &path, &stranger)).await;
        assert_eq!(
            (s, code(&body)),
            (404, "RESOURCE_NOT_FOUND"),
            "{method} {path}"
        );
    }
    let (s, _) = send(
        app.as_user(Method::PATCH, &format!("/api/v1/documents/{id}"), &stranger)
            .json(&json!({ "name": "mine" })),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(
        app.as_user(
            Method::POST,
            &format!("/api/v1/documents/{id}/versions"),
            &stranger,
        )
        .json(&json!({
            "fileName": "x.txt", "mimeType": "text/plain", "fileSize": 1, "sha256": sha_hex(b"x")
        })),
    )
    .await;
    assert_eq!(s, 404);
    assert!(listed(&app, &stranger, "").await.is_empty());
    assert!(listed(&app, &stranger, "?q=strategy").await.is_empty());
    // A matter of the first firm is no parent for the second.
    let (s, body) = send(
        app.as_user(Method::POST, "/api/v1/documents/", &stranger)
            .json(&create_body(m, "a.txt", "text/plain", b"abc")),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    // The owner still sees it.
    assert_eq!(listed(&app, &lawyer, "").await, vec![id.to_owned()]);
}

#[tokio::test]
async fn a_presigned_url_cannot_be_turned_into_another_firms_object() {
    let app = app().await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let lawyer = user(&app, firm, "LAWYER").await;
    let stranger = user(&app, other, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let secret = upload(
        &app,
        &lawyer,
        m,
        "secret.txt",
        "text/plain",
        b"the first firm's secret",
        json!({}),
    )
    .await;
    let secret_key = format!(
        "{firm}/{}/{}",
        secret["id"].as_str().unwrap(),
        secret["currentVersion"]["id"].as_str().unwrap()
    );
    let m2 = matter(&app, &stranger).await;
    let own = upload(
        &app,
        &stranger,
        m2,
        "own.txt",
        "text/plain",
        b"the second firm's own",
        json!({}),
    )
    .await;
    let own_id = own["id"].as_str().unwrap();
    let own_key = format!(
        "{other}/{own_id}/{}",
        own["currentVersion"]["id"].as_str().unwrap()
    );

    // The second firm's download URL, pointed at the first firm's key: refused.
    let got = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{own_id}"),
            &stranger,
        ),
        200,
    )
    .await;
    let url = got["download"]["url"].as_str().unwrap();
    assert!(url.contains(&own_key));
    let forged = url.replace(&own_key, &secret_key);
    let res = reqwest::get(&forged).await.unwrap();
    assert_eq!(res.status(), 403, "the signature covers the key");
    assert!(!res.text().await.unwrap().contains("secret"));

    // The second firm's upload URL, pointed at the first firm's key: refused,
    // and the first firm's object is untouched.
    let body = create_body(m2, "again.txt", "text/plain", b"overwrite!");
    let started = start(&app, &stranger, &body).await;
    let (d, v) = ids(&started);
    let mut upload = started["upload"].clone();
    let url = upload["url"]
        .as_str()
        .unwrap()
        .replace(&format!("{other}/{d}/{v}"), &secret_key);
    upload["url"] = json!(url);
    assert_eq!(put(&upload, b"overwrite!").await, 403);
    let digest = store().digest(&secret_key).await.unwrap().unwrap();
    assert_eq!(
        hex::encode(digest.sha256),
        sha_hex(b"the first firm's secret")
    );
    // Nor can the second firm complete the first firm's version under its own document.
    let (s, _) = complete(
        &app,
        &stranger,
        d,
        secret["currentVersion"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
}
