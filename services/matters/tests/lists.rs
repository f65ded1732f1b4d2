//! Lists: filters, sort, cursor, and only what the caller may see, decided in SQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn list(app: &TestApp, user: &TestUser, query: &str) -> Value {
    send_ok(
        app.as_user(Method::GET, &format!("/api/v1/matters/?{query}"), user),
        200,
    )
    .await
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Every id of a listing, page by page (`limit` per page); `between` runs after each page.
async fn all_ids(
    app: &TestApp,
    user: &TestUser,
    query: &str,
    mut between: impl AsyncFnMut(),
) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let page = list(app, user, &q).await;
        ids.extend(page["data"].as_array().unwrap().iter().map(id_of));
        between().await;
        match page["pagination"]["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn filters_and_sorts() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let a = create(&app, &lawyer, json!({ "title": "Alpha 100% sure", "matterType": "CIVIL", "practiceArea": "Employment Law" })).await;
    let b = create(
        &app,
        &lawyer,
        json!({ "title": "Bravo", "matterType": "FAMILY", "stage": "LEAD" }),
    )
    .await;
    let c = create(
        &app,
        &lawyer,
        json!({ "title": "Charlie", "matterType": "CIVIL", "practiceArea": "employment law" }),
    )
    .await;
    let d = create(
        &app,
        &lawyer,
        json!({ "title": "Delta", "matterType": "OTHER" }),
    )
    .await;
    for stage in ["CLOSED", "ARCHIVED"] {
        set_stage(&app, &lawyer, id_of(&d), stage).await;
    }
    // A client, set as the database owner (the contacts service is not running here).
    let client = Uuid::now_v7();
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    diesel::sql_query("update matters.matters set client_id = $1 where id = $2")
        .bind::<SqlUuid, _>(client)
        .bind::<SqlUuid, _>(id_of(&c))
        .execute(&mut conn)
        .await
        .unwrap();

    // Newest first by default; archived matters only when asked for.
    let all = list(&app, &lawyer, "").await;
    assert_eq!(titles(&all), ["Charlie", "Bravo", "Alpha 100% sure"]);
    assert_eq!(all["pagination"]["total"], 3);
    assert_eq!(
        titles(&list(&app, &lawyer, "stage=archived").await),
        ["Delta"]
    );
    assert_eq!(titles(&list(&app, &lawyer, "stage=lead").await), ["Bravo"]);
    assert_eq!(
        titles(&list(&app, &lawyer, "stage=LEAD,open").await).len(),
        3
    );
    assert_eq!(
        titles(&list(&app, &lawyer, &format!("client_id={client}")).await),
        ["Charlie"]
    );
    assert_eq!(
        titles(
            &list(
                &app,
                &lawyer,
                "practice_area=Employment%20Law&sort=created_at"
            )
            .await
        ),
        ["Alpha 100% sure", "Charlie"]
    );
    // q: title or number, case-insensitive, % taken literally.
    assert_eq!(titles(&list(&app, &lawyer, "q=BRAV").await), ["Bravo"]);
    assert_eq!(
        titles(&list(&app, &lawyer, "q=100%25").await),
        ["Alpha 100% sure"]
    );
    let number = b["matterNumber"].as_str().unwrap();
    assert_eq!(
        titles(&list(&app, &lawyer, &format!("q={number}")).await),
        ["Bravo"]
    );
    // Sorts.
    assert_eq!(
        titles(&list(&app, &lawyer, "sort=matter_number").await),
        ["Alpha 100% sure", "Bravo", "Charlie"]
    );
    assert_eq!(
        titles(&list(&app, &lawyer, "sort=-matter_number").await),
        ["Charlie", "Bravo", "Alpha 100% sure"]
    );
    send_ok(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/matters/{}", id_of(&a)),
            &lawyer,
        )
        .json(&json!({ "title": "Alpha again" })),
        200,
    )
    .await;
    let updated = list(&app, &lawyer, "sort=-updated_at").await;
    assert_eq!(titles(&updated)[0], "Alpha again");
    let since = updated["data"][0]["updatedAt"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    assert_eq!(
        titles(&list(&app, &lawyer, &format!("updated_since={since}")).await),
        ["Alpha again"]
    );

    // Bad parameters name themselves.
    let body = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/matters/?sort=colour&stage=pending&member=you&limit=500",
            &lawyer,
        ),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["stage", "member", "sort", "limit"]);
    let page = list(&app, &lawyer, "limit=1").await;
    let cursor = page["pagination"]["nextCursor"].as_str().unwrap();
    let body = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/matters/?limit=1&sort=matter_number&cursor={cursor}"),
            &lawyer,
        ),
        422,
    )
    .await;
    assert_eq!(fields(&body), ["cursor"]);
}

#[tokio::test]
async fn the_cursor_is_stable_under_concurrent_inserts() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let mut before = HashSet::new();
    for i in 0..7 {
        before.insert(id_of(
            &create(&app, &lawyer, matter_body(&format!("M{i}"))).await,
        ));
    }
    for sort in [
        "-created_at",
        "created_at",
        "matter_number",
        "-matter_number",
        "-updated_at",
    ] {
        let mut n = 0;
        let seen = all_ids(&app, &lawyer, &format!("limit=2&sort={sort}"), async || {
            n += 1;
            create(&app, &lawyer, matter_body(&format!("During {sort} {n}"))).await;
        })
        .await;
        let unique: HashSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{sort}: a row repeated across pages"
        );
        assert!(
            before.is_subset(&unique),
            "{sort}: a row present from the start was skipped"
        );
    }
}

#[tokio::test]
async fn assigned_reach_lists_only_assigned_matters_and_another_firm_sees_none() {
    let app = app().await;
    let (firm, other_firm) = (FirmId::new(), FirmId::new());
    let lawyer = assign(&app, firm, "LAWYER").await;
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let partner = member(&app, firm, "PARTNER_ATTORNEY").await;
    let staff = assign(&app, firm, "STAFF").await;
    let stranger = assign(&app, other_firm, "LAWYER").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(id_of(
            &create(&app, &lawyer, matter_body(&format!("Firm matter {i}"))).await,
        ));
    }
    let own = id_of(&create(&app, &stranger, matter_body("Other firm's")).await);
    // Asked before being added: cached until the membership event drops it.
    assert_eq!(list(&app, &paralegal, "").await["pagination"]["total"], 0);
    for id in &ids[..2] {
        send_ok(
            app.as_user(
                Method::POST,
                &format!("/api/v1/matters/{id}/members"),
                &lawyer,
            )
            .json(&json!({ "userId": paralegal.user_id, "role": "PARALEGAL" })),
            201,
        )
        .await;
    }
    let assigned: HashSet<Uuid> = ids[..2].iter().copied().collect();
    let arrived = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        let page = list(&app, &paralegal, "").await;
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect::<HashSet<_>>()
            == assigned
    })
    .await;
    assert!(
        arrived,
        "the paralegal lists exactly the two assigned matters"
    );
    let page = list(&app, &paralegal, "").await;
    assert_eq!(page["pagination"]["total"], 2);
    assert_eq!(
        list(&app, &paralegal, "member=me").await["pagination"]["total"],
        2
    );
    assert_eq!(
        list(&app, &lawyer, "member=me").await["pagination"]["total"],
        0
    );
    // An unassigned matter stays 404 for the paralegal.
    let hidden = format!("/api/v1/matters/{}", ids[3]);
    assert_eq!(status(&app, Method::GET, &hidden, &paralegal).await, 404);
    // A partner attorney on nothing sees nothing; STAFF sees only what it is
    // assigned to (reach ASSIGNED), here one matter.
    assert_eq!(list(&app, &partner, "").await["pagination"]["total"], 0);
    assert_eq!(list(&app, &staff, "").await["pagination"]["total"], 0);
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{}/members", ids[2]),
            &lawyer,
        )
        .json(&json!({ "userId": staff.user_id, "role": "STAFF" })),
        201,
    )
    .await;
    let staff_sees = HashSet::from([ids[2]]);
    let arrived = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        let page = list(&app, &staff, "").await;
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect::<HashSet<_>>()
            == staff_sees
    })
    .await;
    assert!(arrived, "STAFF lists exactly the matter it was added to");
    assert_eq!(status(&app, Method::GET, &hidden, &staff).await, 404);
    let staffs = format!("/api/v1/matters/{}", ids[2]);
    assert_eq!(status(&app, Method::GET, &staffs, &staff).await, 200);
    // Firms never see each other's matters.
    let theirs = list(&app, &stranger, "").await;
    assert_eq!(
        theirs["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect::<Vec<_>>(),
        [own]
    );
    assert_eq!(list(&app, &lawyer, "").await["pagination"]["total"], 4);
}
