//! The jobs: uploads never completed are abandoned (object deleted), deleted
//! documents are purged after the retention period.

use std::time::Duration;

use bytes::Bytes;
use diesel_async::RunQueryDsl;
use lawos_core::FirmId;
use lawos_testkit::api::{code, owner_connection, send};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[derive(diesel::QueryableByName)]
struct Status {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    gone: bool,
}

#[tokio::test]
async fn stale_uploads_are_abandoned_and_deleted_documents_purged() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    // An upload whose bytes were PUT but never completed, and one never PUT.
    let put_only = start(
        &app,
        &lawyer,
        &create_body(m, "a.txt", "text/plain", b"left behind"),
    )
    .await;
    assert_eq!(put(&put_only["upload"], b"left behind").await, 200);
    let never = start(
        &app,
        &lawyer,
        &create_body(m, "b.txt", "text/plain", b"never sent"),
    )
    .await;
    let (put_doc, put_version) = ids(&put_only);
    let key = format!("{firm}/{put_doc}/{put_version}");
    assert!(store().head(&key).await.unwrap().is_some());
    // A recent pending upload is left alone.
    let st = state(&app);
    assert_eq!(
        lawos_svc_documents::jobs::abandon_stale(&st).await.unwrap(),
        0
    );
    // Both started two days ago.
    let mut conn = owner_connection(&app).await;
    diesel::sql_query("update documents.document_versions set created_at = now() - interval '2 days' where status = 'PENDING'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        lawos_svc_documents::jobs::abandon_stale(&st).await.unwrap(),
        2
    );
    assert!(
        store().head(&key).await.unwrap().is_none(),
        "the object is deleted"
    );
    let abandoned: Vec<Status> = diesel::sql_query(
        "select status, object_deleted_at is not null as gone from documents.document_versions order by id",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(abandoned.iter().all(|v| v.status == "ABANDONED" && v.gone));
    // Documents left without any version are deleted with them.
    let (s, body) = complete(&app, &lawyer, put_doc, put_version).await;
    assert_eq!((s, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let never_doc = ids(&never).0;
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{never_doc}"),
            &lawyer
        )
        .await,
        404
    );

    // A deleted document keeps its objects until the retention period is over.
    let kept = upload(
        &app,
        &lawyer,
        m,
        "c.txt",
        "text/plain",
        b"to be purged",
        json!({}),
    )
    .await;
    let kept_id = kept["id"].as_str().unwrap();
    let kept_key = format!(
        "{firm}/{kept_id}/{}",
        kept["currentVersion"]["id"].as_str().unwrap()
    );
    assert_eq!(
        status(
            &app,
            Method::DELETE,
            &format!("/api/v1/documents/{kept_id}"),
            &lawyer
        )
        .await,
        204
    );
    assert_eq!(
        lawos_svc_documents::jobs::purge_deleted(&st).await.unwrap(),
        0
    );
    assert!(store().head(&kept_key).await.unwrap().is_some());
    let mut short = st.clone();
    short.config.retention = Duration::ZERO;
    assert_eq!(
        lawos_svc_documents::jobs::purge_deleted(&short)
            .await
            .unwrap(),
        1
    );
    assert!(store().head(&kept_key).await.unwrap().is_none(), "purged");
    assert_eq!(
        lawos_svc_documents::jobs::purge_deleted(&short)
            .await
            .unwrap(),
        0,
        "once"
    );
    // An untouched object elsewhere in the bucket survives.
    store()
        .put(
            &format!("{firm}/other/object"),
            Bytes::from_static(b"x"),
            "text/plain",
        )
        .await
        .unwrap();
    let (s, _) = send(app.as_user(Method::GET, "/api/v1/documents/", &lawyer)).await;
    assert_eq!(s, 200);
}
