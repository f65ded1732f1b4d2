//! `pagination.total` of matter lists: from the kept per-stage counts when
//! only the stage narrows a firm-wide list, counted otherwise; both always
//! equal the rows the list walks through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const QUERIES: [&str; 7] = [
    "",
    "stage=OPEN",
    "stage=LEAD",
    "stage=OPEN,CLOSED",
    "stage=ARCHIVED",
    "q=Count",
    "sort=matter_number",
];

async fn page(app: &TestApp, user: &TestUser, query: &str, cursor: Option<&str>) -> Value {
    let mut path = format!("/api/v1/matters/?limit=2&{query}");
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={c}"));
    }
    send_ok(app.as_user(Method::GET, &path, user), 200).await
}

/// The total the first page states, and the ids every page walks through.
async fn walk(app: &TestApp, user: &TestUser, query: &str) -> (i64, HashSet<Uuid>) {
    let first = page(app, user, query, None).await;
    let total = first["pagination"]["total"].as_i64().unwrap();
    let mut seen = HashSet::new();
    let mut current = first;
    loop {
        seen.extend(current["data"].as_array().unwrap().iter().map(id_of));
        let next = current["pagination"]["nextCursor"]
            .as_str()
            .map(str::to_owned);
        match next {
            Some(c) => current = page(app, user, query, Some(&c)).await,
            None => break,
        }
    }
    (total, seen)
}

async fn assert_totals(app: &TestApp, user: &TestUser, when: &str) {
    for query in QUERIES {
        let (total, seen) = walk(app, user, query).await;
        assert_eq!(
            total,
            seen.len() as i64,
            "{when}: `{query}` states {total} but lists {}",
            seen.len()
        );
    }
}

#[tokio::test]
async fn totals_follow_creates_stage_changes_deletes_and_walls() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = member(&app, firm, "LAWYER").await;
    let stranger = member(&app, other_firm, "LAWYER").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(id_of(
            &create(&app, &lawyer, matter_body(&format!("Count {i}"))).await,
        ));
    }
    create(&app, &stranger, matter_body("Count elsewhere")).await;
    assert_totals(&app, &lawyer, "after creating").await;
    assert_eq!(walk(&app, &lawyer, "").await.0, 7);
    assert_eq!(
        walk(&app, &stranger, "").await.0,
        1,
        "another firm counts its own"
    );

    for (id, stage) in [
        (ids[0], "IN_PROGRESS"),
        (ids[1], "CLOSED"),
        (ids[2], "CLOSED"),
        (ids[2], "ARCHIVED"),
    ] {
        let (status, body) = set_stage(&app, &lawyer, id, stage).await;
        assert_eq!(status, 200, "{stage}: {body}");
    }
    assert_totals(&app, &lawyer, "after stage changes").await;
    assert_eq!(
        walk(&app, &lawyer, "").await.0,
        6,
        "ARCHIVED is not listed by default"
    );

    let gone = format!("/api/v1/matters/{}", ids[3]);
    assert_eq!(status(&app, Method::DELETE, &gone, &lawyer).await, 204);
    assert_totals(&app, &lawyer, "after a delete").await;
    assert_eq!(walk(&app, &lawyer, "").await.0, 5);

    // An ethical wall hides a matter from the lawyer: the totals leave it out.
    let seen = authz(&app).stats().invalidations;
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/MATTER/{}/grants", ids[4]),
            &firm_admin(firm),
        )
        .json(&json!({ "userId": lawyer.user_id, "action": "DENY", "reason": "ethical wall" })),
        201,
    )
    .await;
    let applied = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        authz(&app).stats().invalidations > seen
    })
    .await;
    assert!(applied, "the wall's permission.changed did not arrive");
    assert_totals(&app, &lawyer, "behind a wall").await;
    assert_eq!(walk(&app, &lawyer, "").await.0, 4);
}

#[tokio::test]
async fn concurrent_stage_changes_in_opposite_directions_keep_the_counts() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = id_of(&create(&app, &lawyer, matter_body(&format!("Count {i}"))).await);
        if i % 2 == 1 {
            let (status, _) = set_stage(&app, &lawyer, id, "IN_PROGRESS").await;
            assert_eq!(status, 200);
        }
        ids.push(id);
    }
    // Evens start OPEN, odds IN_PROGRESS; each round moves them all at once,
    // evens and odds between IN_PROGRESS and CLOSED in opposite directions.
    let rounds = [
        ["IN_PROGRESS", "CLOSED"],
        ["CLOSED", "IN_PROGRESS"],
        ["IN_PROGRESS", "CLOSED"],
    ];
    for (round, stages) in rounds.iter().enumerate() {
        let moves = ids.iter().enumerate().map(|(i, id)| {
            let (app, lawyer, id, stage) = (&app, &lawyer, *id, stages[i % 2]);
            async move { set_stage(app, lawyer, id, stage).await.0 }
        });
        let statuses = futures_util::future::join_all(moves).await;
        assert!(
            statuses.iter().all(|s| *s == 200),
            "round {round}: {statuses:?}"
        );
    }
    assert_totals(&app, &lawyer, "after concurrent moves").await;
    assert_eq!(walk(&app, &lawyer, "").await.0, 8);
}
