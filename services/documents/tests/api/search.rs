//! Full-text search: a word inside an uploaded PDF is found by `?q=` once the
//! extraction worker has read it; ranked, filtered, paginated.

use lawos_core::FirmId;
use lawos_testkit::api::{code, send, send_ok};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

/// A one-page PDF whose text layer says `text`.
fn pdf(text: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[tokio::test]
async fn a_word_inside_an_uploaded_pdf_is_found() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer).await;
    let bytes = pdf("The indemnification clause survives termination of the agreement.");
    let doc = upload(
        &app,
        &lawyer,
        m,
        "agreement.pdf",
        "application/pdf",
        &bytes,
        json!({ "category": "CONTRACT" }),
    )
    .await;
    let id = doc["id"].as_str().unwrap().to_owned();
    let notes = upload(
        &app,
        &lawyer,
        m,
        "notes.md",
        "text/markdown",
        b"# Notes\n\nCall the witness about termination.",
        json!({}),
    )
    .await;
    let notes_id = notes["id"].as_str().unwrap().to_owned();
    // Not yet extracted: the PDF's words are not searchable, its name is.
    assert!(listed(&app, &lawyer, "?q=indemnification").await.is_empty());
    assert_eq!(
        listed(&app, &lawyer, "?q=agreement").await,
        vec![id.clone()]
    );

    let done = lawos_svc_documents::jobs::extract_pending(&state(&app))
        .await
        .unwrap();
    assert_eq!(done, 2);
    assert_eq!(
        listed(&app, &lawyer, "?q=indemnification").await,
        vec![id.clone()]
    );
    // Stemmed: "terminated" finds "termination"; both documents, ranked.
    let both = send_ok(
        app.as_user(Method::GET, "/api/v1/documents/?q=terminated", &lawyer),
        200,
    )
    .await;
    assert_eq!(both["pagination"]["total"], 2);
    assert!(both["data"][0]["rank"].as_f64().unwrap() > 0.0);
    // Web-search syntax, filters and tags.
    assert_eq!(
        listed(&app, &lawyer, "?q=termination%20-witness").await,
        vec![id.clone()]
    );
    assert_eq!(
        listed(&app, &lawyer, "?q=termination&category=CONTRACT").await,
        vec![id.clone()]
    );
    assert_eq!(
        listed(&app, &lawyer, "?q=motion").await.len(),
        2,
        "tags are searched"
    );
    assert!(listed(&app, &lawyer, "?q=nonexistentword").await.is_empty());
    // Pages of one, with a cursor.
    let first = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/documents/?q=termination&limit=1",
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(first["pagination"]["hasMore"], true);
    let cursor = first["pagination"]["nextCursor"].as_str().unwrap();
    let second = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/documents/?q=termination&limit=1&cursor={cursor}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(second["pagination"]["hasMore"], false);
    let mut got = vec![
        first["data"][0]["id"].as_str().unwrap().to_owned(),
        second["data"][0]["id"].as_str().unwrap().to_owned(),
    ];
    got.sort();
    let mut want = vec![id.clone(), notes_id.clone()];
    want.sort();
    assert_eq!(got, want);
    // A list cursor does not continue a search; bad filters are named.
    let list = send_ok(
        app.as_user(Method::GET, "/api/v1/documents/?limit=1", &lawyer),
        200,
    )
    .await;
    let list_cursor = list["pagination"]["nextCursor"].as_str().unwrap();
    let (s, body) = send(app.as_user(
        Method::GET,
        &format!("/api/v1/documents/?q=x&cursor={list_cursor}"),
        &lawyer,
    ))
    .await;
    assert_eq!((s, code(&body)), (422, "VALIDATION_ERROR"));
    let (s, _) = send(app.as_user(
        Method::GET,
        "/api/v1/documents/?category=MEMO&limit=500",
        &lawyer,
    ))
    .await;
    assert_eq!(s, 422);
    // Filters without q.
    assert_eq!(
        listed(&app, &lawyer, &format!("?uploaded_by={}", lawyer.user_id))
            .await
            .len(),
        2
    );
    assert!(
        listed(&app, &lawyer, "?updated_since=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    assert_eq!(
        listed(&app, &lawyer, "?resource_type=GENERAL").await,
        Vec::<String>::new()
    );
}
