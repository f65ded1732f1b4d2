//! Notes (CRUD, soft delete) and the timeline (audit events and notes merged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn notes_are_added_read_changed_and_soft_deleted() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let staff = assign(&app, firm, "STAFF").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Noted")).await);
    let notes = format!("/api/v1/matters/{id}/notes");
    let first = send_ok(
        app.as_user(Method::POST, &notes, &lawyer)
            .json(&json!({ "body": " Called the client " })),
        201,
    )
    .await;
    assert_eq!(first["body"], "Called the client");
    let second = send_ok(
        app.as_user(Method::POST, &notes, &lawyer)
            .json(&json!({ "body": "Filed the motion" })),
        201,
    )
    .await;
    let body = send_ok(
        app.as_user(Method::POST, &notes, &lawyer)
            .json(&json!({ "body": "" })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["body"]);
    // STAFF on the matter reads but may not write.
    join(&app, &lawyer, id, &staff, "STAFF").await;
    let page = send_ok(app.as_user(Method::GET, &notes, &staff), 200).await;
    assert_eq!(page["pagination"]["total"], 2);
    assert_eq!(page["data"][0]["id"], second["id"], "newest first");
    let (refused, _) = send(
        app.as_user(Method::POST, &notes, &staff)
            .json(&json!({ "body": "x" })),
    )
    .await;
    assert_eq!(refused, 403);
    // Paging.
    let one = send_ok(
        app.as_user(Method::GET, &format!("{notes}?limit=1"), &lawyer),
        200,
    )
    .await;
    let cursor = one["pagination"]["nextCursor"].as_str().unwrap();
    let next = send_ok(
        app.as_user(
            Method::GET,
            &format!("{notes}?limit=1&cursor={cursor}"),
            &lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(next["data"][0]["id"], first["id"]);

    let note = format!("{notes}/{}", first["id"].as_str().unwrap());
    let changed = send_ok(
        app.as_user(Method::PATCH, &note, &lawyer)
            .json(&json!({ "body": "Called twice" })),
        200,
    )
    .await;
    assert_eq!(changed["body"], "Called twice");
    assert_eq!(
        send_ok(app.as_user(Method::GET, &note, &staff), 200).await["body"],
        "Called twice"
    );
    // Another firm: 404 everywhere.
    for (method, path) in [
        (Method::GET, notes.clone()),
        (Method::POST, notes.clone()),
        (Method::GET, note.clone()),
        (Method::PATCH, note.clone()),
        (Method::DELETE, note.clone()),
        (Method::GET, format!("/api/v1/matters/{id}/timeline")),
    ] {
        let request = app
            .as_user(method.clone(), &path, &stranger)
            .json(&json!({ "body": "x" }));
        assert_eq!(send(request).await.0, 404, "{method} {path}");
    }
    send_ok(app.as_user(Method::DELETE, &note, &lawyer), 204).await;
    assert_eq!(status(&app, Method::GET, &note, &lawyer).await, 404);
    assert_eq!(status(&app, Method::DELETE, &note, &lawyer).await, 404);
    let page = send_ok(app.as_user(Method::GET, &notes, &lawyer), 200).await;
    assert_eq!(page["pagination"]["total"], 1);
    let kinds: Vec<String> = outbox(&app, first["id"].as_str().unwrap().parse().unwrap())
        .await
        .into_iter()
        .map(|r| r.event_type)
        .collect();
    assert_eq!(
        kinds,
        [
            "matter_note.created",
            "matter_note.updated",
            "matter_note.deleted"
        ]
    );
    // A closed matter's notes are read-only.
    set_stage(&app, &lawyer, id, "CLOSED").await;
    let body = send_ok(
        app.as_user(Method::POST, &notes, &lawyer)
            .json(&json!({ "body": "late" })),
        400,
    )
    .await;
    assert_eq!(code(&body), "CASE_ALREADY_CLOSED");
    assert_eq!(status(&app, Method::GET, &notes, &lawyer).await, 200);
}

fn kinds(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i["type"].as_str().unwrap() {
            "note" => format!("note:{}", i["note"]["body"].as_str().unwrap()),
            _ => i["event"]["type"].as_str().unwrap().to_owned(),
        })
        .collect()
}

async fn timeline_pages(
    app: &TestApp,
    user: &lawos_testkit::TestUser,
    path: &str,
    limit: u32,
) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = send_ok(app.as_user(Method::GET, &url, user), 200).await;
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn the_timeline_merges_events_and_notes_newest_first() {
    let app = TestApp::spawn_with_events(&[
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_matters::SPEC,
    ])
    .await;
    wait_for_queue(&app, "events.events").await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let id = id_of(&create(&app, &lawyer, matter_body("Timeline")).await);
    let notes = format!("/api/v1/matters/{id}/notes");
    let note = |body: &'static str| {
        app.as_user(Method::POST, &notes, &lawyer)
            .json(&json!({ "body": body }))
    };
    send_ok(note("first"), 201).await;
    set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
    send_ok(note("second"), 201).await;
    set_stage(&app, &lawyer, id, "CLOSED").await;
    // matter.created, 2 × (matter.updated + matter.stage_changed).
    let trail = format!("/api/v1/matters/{id}/events");
    let recorded = lawos_testkit::broker::eventually(Duration::from_secs(10), || async {
        let page = send_ok(app.as_user(Method::GET, &trail, &lawyer), 200).await;
        page["data"].as_array().unwrap().len() == 5
    })
    .await;
    assert!(
        recorded,
        "the audit log did not record the matter's five events"
    );
    let path = format!("/api/v1/matters/{id}/timeline");
    let whole = timeline_pages(&app, &lawyer, &path, 100).await;
    let seen = kinds(&whole);
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("matter.created"));
    let pos = |k: &str| seen.iter().position(|s| s == k).unwrap();
    assert!(pos("note:second") < pos("note:first"));
    let stage_changes: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| *s == "matter.stage_changed")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(stage_changes.len(), 2);
    assert!(stage_changes[0] < pos("note:second") && pos("note:second") < stage_changes[1]);
    assert!(stage_changes[1] < pos("note:first") && pos("note:first") < pos("matter.created"));
    // Newest first throughout, and the same sequence page by page.
    let times: Vec<String> = whole
        .iter()
        .map(|i| i["at"].as_str().unwrap().to_owned())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(kinds(&timeline_pages(&app, &lawyer, &path, 2).await), seen);
}
