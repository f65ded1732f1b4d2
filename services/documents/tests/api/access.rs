//! Access inherited from the parent: STAFF never sees a privileged document;
//! a DENY wall on the matter hides its documents; a sub-resource grant opens one.

use lawos_core::FirmId;
use lawos_testkit::api::{code, fields, send, send_ok};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn staff_never_sees_a_privileged_document() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let open = upload(
        &app,
        &lawyer,
        m,
        "filing.txt",
        "text/plain",
        b"public filing about the merger",
        json!({}),
    )
    .await;
    let privileged = upload(
        &app,
        &lawyer,
        m,
        "advice.txt",
        "text/plain",
        b"counsel advice about the merger",
        json!({ "privileged": true }),
    )
    .await;
    assert_eq!(privileged["privileged"], true);
    let (open_id, priv_id) = (
        open["id"].as_str().unwrap(),
        privileged["id"].as_str().unwrap(),
    );
    lawos_svc_documents::jobs::extract_pending(&state(&app))
        .await
        .unwrap();
    // STAFF reaches the matter (a grant on it: assigned reach) but not privilege.
    let staff = lawos_testkit::TestUser::member(firm, "STAFF");
    send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/rbac/assignments",
            &lawos_testkit::api::firm_admin(firm),
        )
        .json(&json!({ "userId": staff.user_id, "role": "STAFF" })),
        201,
    )
    .await;
    grant(&app, firm, &format!("MATTER/{m}"), &staff, "READ").await;
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{open_id}"),
            &staff
        )
        .await,
        200
    );
    for path in [
        format!("/api/v1/documents/{priv_id}"),
        format!("/api/v1/documents/{priv_id}/content"),
        format!("/api/v1/documents/{priv_id}/versions"),
    ] {
        let (s, body) = send(app.as_user(Method::GET, &path, &staff)).await;
        assert_eq!((s, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{path}");
    }
    assert_eq!(listed(&app, &staff, "").await, vec![open_id.to_owned()]);
    assert_eq!(
        listed(&app, &staff, "?q=merger").await,
        vec![open_id.to_owned()]
    );
    assert_eq!(
        listed(&app, &staff, "?privileged=true").await,
        Vec::<String>::new()
    );
    // The lawyer sees both; STAFF may not mark a document privileged (403 naming it).
    assert_eq!(listed(&app, &lawyer, "?q=merger").await.len(), 2);
    let (s, body) = send(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/documents/{open_id}"),
            &staff,
        )
        .json(&json!({ "privileged": true })),
    )
    .await;
    assert_eq!((s, code(&body)), (403, "PERMISSION_DENIED"), "{body}");
    assert_eq!(body["error"]["details"]["fields"], json!(["privileged"]));
    // STAFF may not delete (no documents:delete) a document it sees.
    let (s, body) = send(app.as_user(
        Method::DELETE,
        &format!("/api/v1/documents/{open_id}"),
        &staff,
    ))
    .await;
    assert_eq!((s, code(&body)), (403, "PERMISSION_DENIED"));
    // A stale If-Match is 412; the right one passes.
    let got = app
        .as_user(
            Method::GET,
            &format!("/api/v1/documents/{open_id}"),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    let etag = got.headers()["etag"].to_str().unwrap().to_owned();
    let (s, body) = send(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/documents/{open_id}"),
            &lawyer,
        )
        .header("if-match", "\"stale\"")
        .json(&json!({ "name": "Renamed" })),
    )
    .await;
    assert_eq!((s, code(&body)), (412, "PRECONDITION_FAILED"));
    let (s, body) = send(
        app.as_user(Method::PATCH, &format!("/api/v1/documents/{open_id}"), &lawyer)
            .header("if-match", etag)
            .json(&json!({ "name": "Renamed", "tags": ["Final"], "category": "EVIDENCE", "description": null })),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        (body["name"].as_str(), body["tags"].clone()),
        (Some("Renamed"), json!(["final"]))
    );
    let (s, body) = send(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/documents/{open_id}"),
            &lawyer,
        )
        .json(&json!({ "name": "", "category": "MEMO", "color": "red" })),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    let (s, body) = send(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/documents/{open_id}"),
            &lawyer,
        )
        .json(&json!({ "name": "", "category": "MEMO" })),
    )
    .await;
    assert_eq!(s, 422);
    let mut named = fields(&body);
    named.sort();
    assert_eq!(named, ["category", "name"]);
}

#[tokio::test]
async fn a_wall_on_the_matter_hides_its_documents_and_a_sub_resource_grant_opens_one() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let walled_matter = matter(&app, &lawyer).await;
    let other_matter = matter(&app, &lawyer).await;
    let behind = upload(
        &app,
        &lawyer,
        walled_matter,
        "a.txt",
        "text/plain",
        b"walled contract",
        json!({}),
    )
    .await;
    let outside = upload(
        &app,
        &lawyer,
        other_matter,
        "b.txt",
        "text/plain",
        b"open contract",
        json!({}),
    )
    .await;
    let sibling = upload(
        &app,
        &lawyer,
        other_matter,
        "c.txt",
        "text/plain",
        b"sibling contract",
        json!({}),
    )
    .await;
    let (behind_id, outside_id, sibling_id) = (
        behind["id"].as_str().unwrap(),
        outside["id"].as_str().unwrap(),
        sibling["id"].as_str().unwrap(),
    );
    lawos_svc_documents::jobs::extract_pending(&state(&app))
        .await
        .unwrap();

    // Another lawyer (firm-wide reach) behind an ethical wall on the first matter.
    let colleague = user(&app, firm, "LAWYER").await;
    grant(
        &app,
        firm,
        &format!("MATTER/{walled_matter}"),
        &colleague,
        "DENY",
    )
    .await;
    let (s, body) = send(app.as_user(
        Method::GET,
        &format!("/api/v1/documents/{behind_id}"),
        &colleague,
    ))
    .await;
    assert_eq!((s, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{behind_id}/content"),
            &colleague
        )
        .await,
        404
    );
    let mut seen = listed(&app, &colleague, "").await;
    seen.sort();
    let mut want = vec![outside_id.to_owned(), sibling_id.to_owned()];
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(
        listed(&app, &colleague, "?q=walled").await,
        Vec::<String>::new()
    );
    assert_eq!(
        listed(
            &app,
            &colleague,
            &format!("?resource_type=MATTER&resource_id={walled_matter}")
        )
        .await,
        Vec::<String>::new()
    );

    // A paralegal, no member of either matter, granted one document only.
    let paralegal = lawos_testkit::TestUser::member(firm, "PARALEGAL");
    send_ok(
        app.as_user(
            Method::POST,
            "/api/v1/rbac/assignments",
            &lawos_testkit::api::firm_admin(firm),
        )
        .json(&json!({ "userId": paralegal.user_id, "role": "PARALEGAL" })),
        201,
    )
    .await;
    grant(
        &app,
        firm,
        &format!("MATTER/{other_matter}/DOCUMENT/{outside_id}"),
        &paralegal,
        "READ",
    )
    .await;
    let got = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/{outside_id}"),
            &paralegal,
        ),
        200,
    )
    .await;
    assert!(got["download"]["url"].is_string());
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{sibling_id}"),
            &paralegal
        )
        .await,
        404
    );
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/documents/{behind_id}"),
            &paralegal
        )
        .await,
        404
    );
    assert_eq!(
        listed(&app, &paralegal, "").await,
        vec![outside_id.to_owned()]
    );
    assert_eq!(
        listed(&app, &paralegal, "?q=contract").await,
        vec![outside_id.to_owned()]
    );
    // The grant brings that one document into the paralegal's assigned reach,
    // where the role's own documents:update applies; its sibling stays out.
    let (s, body) = send(
        app.as_user(
            Method::POST,
            &format!("/api/v1/documents/{outside_id}/versions"),
            &paralegal,
        )
        .json(&json!({
            "fileName": "x.txt", "mimeType": "text/plain", "fileSize": 1, "sha256": sha_hex(b"x")
        })),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let (s, _) = send(
        app.as_user(
            Method::POST,
            &format!("/api/v1/documents/{sibling_id}/versions"),
            &paralegal,
        )
        .json(&json!({
            "fileName": "x.txt", "mimeType": "text/plain", "fileSize": 1, "sha256": sha_hex(b"x")
        })),
    )
    .await;
    assert_eq!(s, 404);
}
