//! Versions: a new version is a new row with its parent; list and fetch any;
//! restore an old one as a new current version (copied server-side);
//! archive, restore, soft delete.

use lawos_core::FirmId;
use lawos_testkit::api::{code, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn versions_are_kept_listed_fetched_and_restored() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let first = upload(
        &app,
        &lawyer,
        m,
        "contract-v1.txt",
        "text/plain",
        b"first draft",
        json!({}),
    )
    .await;
    let id = first["id"].as_str().unwrap().to_owned();
    let v1 = first["currentVersion"]["id"].as_str().unwrap().to_owned();

    let second = b"second draft, signed".to_vec();
    let started = send_ok(
        app.as_user(Method::POST, &format!("/api/v1/documents/{id}/versions"), &lawyer).json(&json!({
            "fileName": "contract-v2.txt", "mimeType": "text/plain", "fileSize": second.len(), "sha256": sha_hex(&second)
        })),
        201,
    )
    .await;
    assert_eq!(started["version"]["parentVersionId"], v1);
    assert_eq!(
        started["document"]["version"], 1,
        "still the first until completed"
    );
    assert_eq!(put(&started["upload"], &second).await, 200);
    let (_, v2) = ids(&started);
    let (s, done) = complete(&app, &lawyer, id.parse().unwrap(), v2).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(
        (done["version"].clone(), done["fileName"].clone()),
        (json!(2), json!("contract-v2.txt"))
    );

    let list = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/versions?limit=1"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 2);
    assert_eq!(list["data"][0]["versionNumber"], 2);
    let cursor = list["pagination"]["nextCursor"].as_str().unwrap();
    let rest = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/versions?limit=1&cursor={cursor}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(rest["data"][0]["id"], v1);
    assert_eq!(rest["data"][0]["isCurrent"], false);
    // Any version can be fetched and downloaded.
    let old = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/versions/{v1}"),
            &lawyer,
        ),
        200,
    )
    .await;
    let res = reqwest::get(old["download"]["url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"first draft");
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/versions/{v1}/content"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"first draft");
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{id}/versions/{unknown}"),
            &lawyer
        )
        .await,
        404
    );

    // Restore v1: a third version with v1's bytes, current.
    let restored = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/documents/{id}/versions/{v1}/restore"),
            &lawyer,
        ),
        201,
    )
    .await;
    assert_eq!(restored["versionNumber"], 3);
    assert_eq!(restored["restoredFromVersionId"], v1);
    assert_eq!(restored["parentVersionId"], v2.to_string());
    assert_eq!(restored["uploadMethod"], "RESTORE");
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/documents/{id}/content"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"first draft");

    // Archived: out of the default list, read-only; restored: back.
    let archived = send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/documents/{id}/archive"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert!(archived["archivedAt"].is_string());
    assert!(listed(&app, &lawyer, "").await.is_empty());
    assert_eq!(
        listed(&app, &lawyer, "?archived=true").await,
        vec![id.clone()]
    );
    let (s, body) = send(app.as_user(
        Method::POST,
        &format!("/api/v1/documents/{id}/versions/{v1}/restore"),
        &lawyer,
    ))
    .await;
    assert_eq!((s, code(&body)), (409, "RESOURCE_CONFLICT"));
    send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/documents/{id}/restore"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(listed(&app, &lawyer, "").await, vec![id.clone()]);

    // Deleted: gone for everyone (404), the objects kept until the purge.
    assert_eq!(
        status(
            &app,
            Method::DELETE,
            &format!("/api/v1/documents/{id}"),
            &lawyer
        )
        .await,
        204
    );
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            &lawyer
        )
        .await,
        404
    );
    assert!(listed(&app, &lawyer, "").await.is_empty());
    let key = format!("{firm}/{id}/{v1}");
    assert!(
        store().head(&key).await.unwrap().is_some(),
        "deleting never removes objects at once"
    );
}
