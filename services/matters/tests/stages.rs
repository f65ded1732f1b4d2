//! The stage lifecycle: the whole transition table, closed matters refusing
//! edits, who may reopen, and `matter.stage_changed` in the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

const STAGES: [&str; 5] = ["LEAD", "OPEN", "IN_PROGRESS", "CLOSED", "ARCHIVED"];

/// The table of API.md: every allowed move.
const ALLOWED: [(&str, &str); 8] = [
    ("LEAD", "OPEN"),
    ("LEAD", "CLOSED"),
    ("OPEN", "IN_PROGRESS"),
    ("OPEN", "CLOSED"),
    ("IN_PROGRESS", "CLOSED"),
    ("CLOSED", "ARCHIVED"),
    ("CLOSED", "IN_PROGRESS"),
    ("ARCHIVED", "CLOSED"),
];

/// A matter brought to `stage` by `lawyer`.
async fn matter_in(app: &TestApp, lawyer: &TestUser, stage: &str) -> Uuid {
    let mut body = matter_body(&format!("In {stage}"));
    if stage == "LEAD" {
        body["stage"] = json!("LEAD");
    }
    let id = id_of(&create(app, lawyer, body).await);
    let path: &[&str] = match stage {
        "IN_PROGRESS" => &["IN_PROGRESS"],
        "CLOSED" => &["CLOSED"],
        "ARCHIVED" => &["CLOSED", "ARCHIVED"],
        _ => &[],
    };
    for step in path {
        let (code, body) = set_stage(app, lawyer, id, step).await;
        assert_eq!(code, 200, "{body}");
    }
    id
}

#[tokio::test]
async fn the_whole_transition_table() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    for from in STAGES {
        for to in STAGES {
            let id = matter_in(&app, &lawyer, from).await;
            let (status, body) = set_stage(&app, &lawyer, id, to).await;
            if ALLOWED.contains(&(from, to)) {
                assert_eq!(status, 200, "{from} → {to}: {body}");
                assert_eq!(body["stage"], to);
                let last = outbox(&app, id).await.pop().unwrap();
                assert_eq!(last.event_type, "matter.stage_changed");
                assert_eq!(last.payload["data"], json!({ "from": from, "to": to }));
                assert_eq!(last.payload["actor"]["userId"], json!(lawyer.user_id));
            } else {
                assert_eq!(status, 409, "{from} → {to}: {body}");
                assert_eq!(code(&body), "INVALID_STAGE_TRANSITION");
                assert_eq!(body["error"]["details"]["from"], from);
            }
        }
    }
    let id = matter_in(&app, &lawyer, "OPEN").await;
    let body = send_ok(
        app.as_user(Method::PUT, &format!("/api/v1/matters/{id}/stage"), &lawyer)
            .json(&json!({ "stage": "PENDING" })),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["stage"]);
}

#[tokio::test]
async fn dates_follow_the_stage_and_archive_restore_are_stage_moves() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let lead = create(
        &app,
        &lawyer,
        json!({ "title": "Lead", "matterType": "OTHER", "stage": "lead" }),
    )
    .await;
    assert!(lead["openedAt"].is_null());
    let id = id_of(&lead);
    let (_, open) = set_stage(&app, &lawyer, id, "open").await;
    assert!(open["openedAt"].is_string());
    let (_, closed) = set_stage(&app, &lawyer, id, "CLOSED").await;
    assert!(closed["closedAt"].is_string());
    // Restore only from ARCHIVED; archive only from CLOSED.
    let restore = format!("/api/v1/matters/{id}/restore");
    let archive = format!("/api/v1/matters/{id}/archive");
    let (code409, _) = send(app.as_user(Method::PUT, &restore, &lawyer)).await;
    assert_eq!(code409, 409);
    let archived = send_ok(app.as_user(Method::PUT, &archive, &lawyer), 200).await;
    assert_eq!(archived["stage"], "ARCHIVED");
    let restored = send_ok(app.as_user(Method::PUT, &restore, &lawyer), 200).await;
    assert_eq!(
        (restored["stage"].as_str(), &restored["closedAt"]),
        (Some("CLOSED"), &closed["closedAt"])
    );
    let (_, reopened) = set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
    assert!(reopened["closedAt"].is_null());
    let (code_again, _) = send(app.as_user(Method::PUT, &archive, &lawyer)).await;
    assert_eq!(code_again, 409);
}

#[tokio::test]
async fn closed_matters_refuse_data_edits() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    for stage in ["CLOSED", "ARCHIVED"] {
        let id = matter_in(&app, &lawyer, stage).await;
        let path = format!("/api/v1/matters/{id}");
        let body = send_ok(
            app.as_user(Method::PATCH, &path, &lawyer)
                .json(&json!({ "title": "Too late" })),
            400,
        )
        .await;
        assert_eq!(code(&body), "CASE_ALREADY_CLOSED");
        let body = send_ok(
            app.as_user(Method::PUT, &path, &lawyer)
                .json(&json!({ "title": "Too late", "matterType": "CIVIL" })),
            400,
        )
        .await;
        assert_eq!(code(&body), "CASE_ALREADY_CLOSED");
        let body = send_ok(
            app.as_user(Method::POST, &format!("{path}/members"), &lawyer)
                .json(&json!({ "userId": Uuid::now_v7(), "role": "ASSOCIATE" })),
            400,
        )
        .await;
        assert_eq!(code(&body), "CASE_ALREADY_CLOSED");
    }
}

#[tokio::test]
async fn only_lawyers_and_the_lead_attorney_reopen() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let partner = member(&app, firm, "PARTNER_ATTORNEY").await;
    let id = matter_in(&app, &lawyer, "IN_PROGRESS").await;
    let path = format!("/api/v1/matters/{id}");
    for (user, role) in [(&paralegal, "PARALEGAL"), (&partner, "LEAD_ATTORNEY")] {
        send_ok(
            app.as_user(Method::POST, &format!("{path}/members"), &lawyer)
                .json(&json!({ "userId": user.user_id, "role": role })),
            201,
        )
        .await;
        assert!(
            time_until(&app, &path, user, 200, lawos_testkit::broker::PROPAGATE)
                .await
                .is_some()
        );
    }
    // An assigned paralegal may close the matter (matters:update) but not reopen it.
    let (closed, body) = set_stage(&app, &paralegal, id, "CLOSED").await;
    assert_eq!(closed, 200, "{body}");
    let (refused, body) = set_stage(&app, &paralegal, id, "IN_PROGRESS").await;
    assert_eq!((refused, code(&body)), (403, "PERMISSION_DENIED"), "{body}");
    // The partner attorney leads it: reopening is theirs.
    let (reopened, body) = set_stage(&app, &partner, id, "IN_PROGRESS").await;
    assert_eq!(reopened, 200, "{body}");
    // And a lawyer reopens any matter.
    set_stage(&app, &lawyer, id, "CLOSED").await;
    let (by_lawyer, _) = set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
    assert_eq!(by_lawyer, 200);
}
