//! Access grants: create, list, search, revoke (soft); their effect on
//! capabilities (expiry, DENY walls over memberships); permission.changed;
//! refusals (LAWYER 403, another firm 404); validation naming fields.

mod common;

use std::time::Duration;

use common::*;
use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn grants_are_created_listed_searched_and_revoked_softly() {
    let app = app().await;
    let firm = FirmId::new();
    let admin = firm_admin(firm);
    let paralegal = TestUser::member(firm, "PARALEGAL");
    assign(&app, firm, paralegal.user_id, "PARALEGAL").await;
    let matter = Uuid::now_v7();
    let document = Uuid::now_v7();

    // Backstage §4.2.3's example body, on the CASE alias.
    let g = grant(
        &app,
        firm,
        &format!("CASE/{matter}"),
        json!({
            "userId": paralegal.user_id, "action": "READ", "expiresAt": "2099-12-31T23:59:59Z"
        }),
    )
    .await;
    assert_eq!(g["resourceType"], "MATTER");
    assert_eq!(g["action"], "READ");
    assert!(g["grantedBy"].is_string());
    assert!(g["revokedAt"].is_null() && g["grantedAt"].is_string());
    let sub = grant(
        &app,
        firm,
        &format!("MATTER/{matter}/DOCUMENT/{document}"),
        json!({
            "userId": paralegal.user_id, "action": "WRITE"
        }),
    )
    .await;
    assert_eq!(sub["subresourceType"], "DOCUMENT");

    let list = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(
        list["pagination"]["total"], 1,
        "the resource's own grants only"
    );
    let list = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/rbac/resources/MATTER/{matter}/DOCUMENT/{document}/grants"),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(list["data"][0]["id"], sub["id"]);
    let found = send_ok(
        app.as_user(
            Method::GET,
            &format!(
                "/api/v1/rbac/access-grants/search?user_id={}&limit=1",
                paralegal.user_id
            ),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(found["pagination"]["total"], 2);
    assert_eq!(found["pagination"]["hasMore"], true);
    let next = found["pagination"]["nextCursor"].as_str().unwrap();
    let page2 = send_ok(
        app.as_user(
            Method::GET,
            &format!(
                "/api/v1/rbac/access-grants/search?user_id={}&limit=1&cursor={next}",
                paralegal.user_id
            ),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(page2["data"][0]["id"], sub["id"]);

    let caps = capabilities(&app, firm, &paralegal).await;
    assert_eq!(ids(&caps["matterIds"]), [matter.to_string()]);
    assert_eq!(caps["grants"].as_array().unwrap().len(), 2);
    assert_eq!(caps["validUntil"], "2099-12-31T23:59:59Z");

    // Revoke: soft, idempotent, and gone from capabilities and the active search.
    let gid = g["id"].as_str().unwrap();
    let revoked = send_ok(
        app.as_user(
            Method::DELETE,
            &format!("/api/v1/rbac/resources/CASE/{matter}/grants/{gid}"),
            &admin,
        ),
        200,
    )
    .await;
    assert!(revoked["revokedAt"].is_string());
    assert_eq!(revoked["revokedBy"], admin.user_id.to_string().as_str());
    send_ok(
        app.as_user(
            Method::DELETE,
            &format!("/api/v1/rbac/resources/MATTER/{matter}/grants/{gid}"),
            &admin,
        ),
        200,
    )
    .await;
    // The grant id under another resource is not there.
    let res = app
        .as_user(
            Method::DELETE,
            &format!(
                "/api/v1/rbac/resources/MATTER/{}/grants/{gid}",
                Uuid::now_v7()
            ),
            &admin,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let caps = capabilities(&app, firm, &paralegal).await;
    assert!(caps["matterIds"].as_array().unwrap().is_empty());
    let active = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/rbac/access-grants/search?resource_type=case&resource_id={matter}&active=true"), &admin),
        200,
    )
    .await;
    assert_eq!(
        active["pagination"]["total"], 1,
        "only the document grant is in force"
    );
    assert_eq!(active["data"][0]["id"], sub["id"]);
    let all = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/rbac/access-grants/search?resource_id={matter}"),
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(all["pagination"]["total"], 2, "revoked rows stay");
    assert_eq!(
        count(&app, "select count(*) as n from rbac.access_grants").await,
        2
    );
    let mut conn = <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(
        &app.db.admin_url(),
    )
    .await
    .unwrap();
    let deleted = diesel_async::RunQueryDsl::execute(
        diesel::sql_query("delete from rbac.access_grants"),
        &mut conn,
    )
    .await;
    assert!(deleted.is_err(), "grants are never deleted");

    // Every change that altered access is a permission.changed in the outbox.
    let reasons: Vec<(String, Vec<String>)> = permission_changes(&app)
        .await
        .iter()
        .map(|e| {
            assert_eq!(e["firmId"], firm.to_string().as_str());
            assert_eq!(e["data"]["firmId"], firm.to_string().as_str());
            (
                e["data"]["reason"].as_str().unwrap().to_owned(),
                ids(&e["data"]["userIds"]),
            )
        })
        .collect();
    let who = vec![paralegal.user_id.to_string()];
    assert_eq!(
        reasons,
        [
            ("role_assignment.created".to_owned(), who.clone()),
            ("access_grant.created".to_owned(), who.clone()),
            ("access_grant.created".to_owned(), who.clone()),
            ("access_grant.revoked".to_owned(), who),
        ],
        "the repeated revoke changed nothing and said nothing"
    );
    // The grant rows are audited as entity events too.
    assert_eq!(
        count(
            &app,
            "select count(*) as n from rbac.outbox where event_type like 'access_grant.%'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn an_expired_grant_gives_nothing() {
    let app = app().await;
    let firm = FirmId::new();
    let user = TestUser::member(firm, "PARALEGAL");
    assign(&app, firm, user.user_id, "PARALEGAL").await;
    let matter = Uuid::now_v7();
    let expires = chrono::SubsecRound::trunc_subsecs(
        chrono::Utc::now() + chrono::Duration::milliseconds(1200),
        6,
    );
    let expires_text = expires.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        json!({
            "userId": user.user_id, "action": "WRITE", "expiresAt": expires_text
        }),
    )
    .await;
    let caps = capabilities(&app, firm, &user).await;
    assert_eq!(ids(&caps["matterIds"]), [matter.to_string()]);
    let valid_until: chrono::DateTime<chrono::Utc> =
        caps["validUntil"].as_str().unwrap().parse().unwrap();
    assert_eq!(valid_until, expires, "a cache must not outlive the grant");

    tokio::time::sleep(Duration::from_millis(1400)).await;
    let caps = capabilities(&app, firm, &user).await;
    assert!(caps["matterIds"].as_array().unwrap().is_empty());
    assert!(caps["grants"].as_array().unwrap().is_empty());
    assert!(caps["validUntil"].is_null());

    // A grant that starts later is not in force yet, but bounds the cache.
    let starts = chrono::Utc::now() + chrono::Duration::hours(1);
    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        json!({
            "userId": user.user_id, "action": "READ", "startsAt": starts.to_rfc3339()
        }),
    )
    .await;
    let caps = capabilities(&app, firm, &user).await;
    assert!(caps["matterIds"].as_array().unwrap().is_empty());
    assert!(caps["validUntil"].is_string());
}

#[allow(clippy::unwrap_used)]
fn member_added(firm: FirmId, matter: Uuid, user: Uuid) -> EventEnvelope {
    EventEnvelope::builder("matter.member_added", EntityRef::new("matter", matter))
        .firm(firm.0)
        .data(json!({ "matterId": matter, "userId": user, "role": "RESPONSIBLE_LAWYER" }))
        .build()
}

#[tokio::test]
async fn deny_removes_a_matter_that_membership_gave_and_beats_firm_wide_reach() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = TestUser::member(firm, "LAWYER");
    assign(&app, firm, lawyer.user_id, "LAWYER").await;
    let (walled, other) = (Uuid::now_v7(), Uuid::now_v7());
    // The consumer's handler, called directly (the broker path is in membership.rs).
    let db = &app.envs[0].db;
    let event = member_added(firm, walled, lawyer.user_id.0);
    assert!(
        lawos_svc_rbac::membership::apply(db, event.clone())
            .await
            .unwrap()
    );
    assert!(
        !lawos_svc_rbac::membership::apply(db, event).await.unwrap(),
        "exactly once"
    );
    lawos_svc_rbac::membership::apply(db, member_added(firm, other, lawyer.user_id.0))
        .await
        .unwrap();
    let caps = capabilities(&app, firm, &lawyer).await;
    let mut want = vec![walled.to_string(), other.to_string()];
    want.sort();
    assert_eq!(ids(&caps["matterIds"]), want);

    grant(&app, firm, &format!("MATTER/{walled}"), json!({
        "userId": lawyer.user_id, "action": "DENY", "reason": "ethical wall: conflict of interest"
    }))
    .await;
    let caps = capabilities(&app, firm, &lawyer).await;
    assert_eq!(ids(&caps["matterIds"]), [other.to_string()]);
    assert_eq!(ids(&caps["deniedMatterIds"]), [walled.to_string()]);
    // LAWYER's firm-wide reach stays; the wall is what services check against it.
    assert!(
        caps["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["scope"] == "matters:read" && s["reach"] == "ALL")
    );
    // A READ grant does not lift the wall.
    grant(
        &app,
        firm,
        &format!("MATTER/{walled}"),
        json!({ "userId": lawyer.user_id, "action": "READ" }),
    )
    .await;
    let caps = capabilities(&app, firm, &lawyer).await;
    assert_eq!(ids(&caps["matterIds"]), [other.to_string()]);
    // Membership changes said permission.changed once each.
    let membership: Vec<_> = permission_changes(&app)
        .await
        .into_iter()
        .filter(|e| e["data"]["reason"] == "matter.member_added")
        .collect();
    assert_eq!(membership.len(), 2);
}

#[tokio::test]
async fn bad_input_is_422_naming_every_field() {
    let app = app().await;
    let firm = FirmId::new();
    let admin = firm_admin(firm);
    let matter = Uuid::now_v7();
    let res = app
        .as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/PLANET/{matter}/grants"),
            &admin,
        )
        .json(&json!({ "userId": "someone", "action": "OWN", "expiresAt": "tomorrow" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        error_fields(&body),
        ["resourceType", "userId", "action", "expiresAt"]
    );
    let res = app
        .as_user(Method::POST, &format!("/api/v1/rbac/resources/CLIENT/{matter}/TASK/{matter}/grants"), &admin)
        .json(&json!({ "action": "READ", "startsAt": "2030-01-01T00:00:00Z", "expiresAt": "2029-01-01T00:00:00Z" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        error_fields(&body),
        ["subresourceType", "userId", "expiresAt"]
    );
    let res = app
        .as_user(Method::POST, "/api/v1/rbac/assignments", &admin)
        .json(&json!({ "userId": Uuid::now_v7(), "role": "ASTRONAUT" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&body), ["role"]);
    // Nothing half-written.
    assert_eq!(
        count(&app, "select count(*) as n from rbac.access_grants").await,
        0
    );
    assert_eq!(
        count(&app, "select count(*) as n from rbac.role_assignments").await,
        0
    );
    assert!(permission_changes(&app).await.is_empty());
}

#[tokio::test]
async fn a_lawyer_is_refused_and_another_firms_admin_finds_nothing() {
    let app = app().await;
    let (a, b) = (FirmId::new(), FirmId::new());
    let lawyer = TestUser::member(a, "LAWYER");
    let colleague = TestUser::member(a, "LAWYER");
    let matter = Uuid::now_v7();
    let g = grant(
        &app,
        a,
        &format!("MATTER/{matter}"),
        json!({ "userId": lawyer.user_id, "action": "READ" }),
    )
    .await;
    let gid = g["id"].as_str().unwrap();
    let role = send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/roles", &firm_admin(a))
            .json(&json!({ "code": "RECORDS_CLERK", "name": "Records clerk", "scopes": [{ "scope": "documents:read" }] })),
        201,
    )
    .await;
    let policy = send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/field-policies", &firm_admin(a))
            .json(&json!({ "resourceType": "CLIENT", "field": "dateOfBirth", "role": "STAFF", "read": false, "write": false })),
        201,
    )
    .await;
    let assignment = assign(&app, a, lawyer.user_id, "LAWYER").await;

    // LAWYER: 403 on every administrative call of their own firm.
    for (method, path) in [
        (
            Method::GET,
            format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
        ),
        (
            Method::POST,
            format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/rbac/resources/MATTER/{matter}/grants/{gid}"),
        ),
        (Method::GET, "/api/v1/rbac/access-grants/search".to_owned()),
        (Method::GET, "/api/v1/rbac/roles".to_owned()),
        (Method::GET, "/api/v1/rbac/field-policies".to_owned()),
        (Method::POST, "/api/v1/rbac/assignments".to_owned()),
    ] {
        let mut r = app.as_user(method.clone(), &path, &lawyer);
        if method == Method::POST {
            r = r.json(&json!({ "userId": lawyer.user_id, "action": "READ", "role": "LAWYER" }));
        }
        let res = r.send().await.unwrap();
        expect_error(res, 403, "PERMISSION_DENIED").await;
    }
    // Their own capabilities: yes. A colleague's: 403.
    capabilities(&app, a, &lawyer).await;
    let res = app
        .as_user(
            Method::GET,
            &format!(
                "/api/v1/rbac/firms/{a}/users/{}/capabilities",
                colleague.user_id
            ),
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    // Firm B's administrator: 404 for everything of firm A, and empty lists.
    let admin_b = firm_admin(b);
    let role_id = role["id"].as_str().unwrap();
    let policy_id = policy["id"].as_str().unwrap();
    let assignment_id = assignment["id"].as_str().unwrap();
    for (method, path) in [
        (
            Method::DELETE,
            format!("/api/v1/rbac/resources/MATTER/{matter}/grants/{gid}"),
        ),
        (Method::GET, format!("/api/v1/rbac/roles/{role_id}")),
        (Method::PATCH, format!("/api/v1/rbac/roles/{role_id}")),
        (Method::DELETE, format!("/api/v1/rbac/roles/{role_id}")),
        (
            Method::GET,
            format!("/api/v1/rbac/field-policies/{policy_id}"),
        ),
        (
            Method::PATCH,
            format!("/api/v1/rbac/field-policies/{policy_id}"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/rbac/field-policies/{policy_id}"),
        ),
        (
            Method::GET,
            format!("/api/v1/rbac/assignments/{assignment_id}"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/rbac/assignments/{assignment_id}"),
        ),
        (
            Method::GET,
            format!(
                "/api/v1/rbac/firms/{a}/users/{}/capabilities",
                lawyer.user_id
            ),
        ),
        (
            Method::GET,
            format!(
                "/api/v1/rbac/firms/{a}/users/{}/field-policies",
                lawyer.user_id
            ),
        ),
    ] {
        let mut r = app.as_user(method.clone(), &path, &admin_b);
        if method == Method::PATCH {
            r = r.json(&json!({ "name": "Taken over", "read": true }));
        }
        let res = r.send().await.unwrap();
        expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    }
    for path in [
        format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
        "/api/v1/rbac/access-grants/search".to_owned(),
        "/api/v1/rbac/roles".to_owned(),
        "/api/v1/rbac/field-policies".to_owned(),
        "/api/v1/rbac/assignments".to_owned(),
    ] {
        let list = send_ok(app.as_user(Method::GET, &path, &admin_b), 200).await;
        assert_eq!(list["pagination"]["total"], 0, "{path}");
    }
    // Nothing of A changed.
    let caps = capabilities(&app, a, &lawyer).await;
    assert_eq!(ids(&caps["matterIds"]), [matter.to_string()]);

    // A platform administrator reaches firm A through X-Firm-Id.
    let list = send_ok(
        req(
            &app,
            Method::GET,
            "/api/v1/rbac/access-grants/search",
            &platform_admin(),
            Some(a),
        ),
        200,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 1);
    send_ok(
        app.as_user(
            Method::GET,
            &format!(
                "/api/v1/rbac/firms/{a}/users/{}/capabilities",
                lawyer.user_id
            ),
            &platform_admin(),
        ),
        200,
    )
    .await;
}
