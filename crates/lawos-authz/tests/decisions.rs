//! Decisions of another service, driven by rbac changes and events: grants,
//! revocation by event, expiry, walls, field policies, SQL-filtered lists,
//! the cache and its invalidation, and a second firm that sees nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

/// Far below the cache's TTL (`CACHE_TTL`, 300 s): a pass proves the event
/// dropped the entry.
use lawos_testkit::broker::PROPAGATE;
/// For waits that are not the subject of a test.
const SETTLE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_grant_opens_a_matter_and_its_revocation_closes_it() {
    let app = app().await;
    let firm = FirmId::new();
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let matter = Uuid::now_v7();
    let path = format!("/api/v1/probe/matters/{matter}");
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);

    let grant_id = grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        paralegal.user_id,
        json!({ "action": "READ" }),
    )
    .await;
    let opened = time_until(&app, &path, &paralegal, 200, PROPAGATE).await;
    assert!(opened.is_some(), "the grant did not reach the probe");

    // Once the assignment's and the grant's events are in, decisions are warm
    // and ask rbac nothing.
    assert!(
        lawos_testkit::broker::eventually(SETTLE, || async {
            authz(&app).stats().invalidations >= 2
        })
        .await
    );
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 200);
    let before = authz(&app).stats();
    for _ in 0..5 {
        assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 200);
    }
    let after = authz(&app).stats();
    assert_eq!(after.rbac_calls, before.rbac_calls, "{after:?}");
    assert!(after.local_hits >= before.local_hits + 5, "{after:?}");

    revoke(&app, firm, &format!("MATTER/{matter}"), &grant_id).await;
    let closed = time_until(&app, &path, &paralegal, 404, PROPAGATE).await;
    assert!(closed.is_some(), "the revocation did not reach the probe");
    assert!(authz(&app).stats().invalidations >= 3);
}

#[tokio::test]
async fn an_expired_grant_gives_nothing_without_any_event() {
    let app = app().await;
    let firm = FirmId::new();
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let matter = Uuid::now_v7();
    let path = format!("/api/v1/probe/matters/{matter}");
    let expires = chrono::Utc::now() + chrono::Duration::milliseconds(3000);
    let before = authz(&app).stats().invalidations;
    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        paralegal.user_id,
        json!({ "action": "READ", "expiresAt": expires.to_rfc3339() }),
    )
    .await;
    // The grant's own permission.changed has arrived: nothing else will.
    assert!(
        lawos_testkit::broker::eventually(SETTLE, || async {
            authz(&app).stats().invalidations > before
        })
        .await
    );
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 200);
    let invalidations = authz(&app).stats().invalidations;
    let left = (expires - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(100)).await;
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);
    assert_eq!(
        authz(&app).stats().invalidations,
        invalidations,
        "expiry must not need an event: the cache entry ends with the grant"
    );
}

#[tokio::test]
async fn a_wall_beats_a_lawyers_firm_wide_reach_and_a_read_only_role_is_refused() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let admin = member(&app, firm, "FIRM_ADMIN").await;
    let staff = member(&app, firm, "STAFF").await;
    let matter = Uuid::now_v7();
    let path = format!("/api/v1/probe/matters/{matter}");
    assert_eq!(status(&app, Method::GET, &path, &lawyer).await, 200);
    assert_eq!(status(&app, Method::PATCH, &path, &lawyer).await, 200);
    // STAFF reaches only assigned matters: this one is hidden, so 404.
    assert_eq!(status(&app, Method::GET, &path, &staff).await, 404);
    assert_eq!(status(&app, Method::PATCH, &path, &staff).await, 404);
    // The firm's administrator reads matters firm-wide but may not update
    // them: visible, so 403.
    assert_eq!(status(&app, Method::GET, &path, &admin).await, 200);
    let (code, body) = send(app.as_user(Method::PATCH, &path, &admin).json(&json!({}))).await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
    assert_eq!(
        body["error"]["details"]["requiredScopes"],
        json!(["matters:update"])
    );

    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        lawyer.user_id,
        json!({ "action": "DENY", "reason": "ethical wall" }),
    )
    .await;
    assert!(
        time_until(&app, &path, &lawyer, 404, PROPAGATE)
            .await
            .is_some()
    );
    assert_eq!(status(&app, Method::PATCH, &path, &lawyer).await, 404);
    let (code, body) = send(app.as_user(Method::GET, &path, &lawyer)).await;
    assert_eq!(code, 404);
    assert_eq!(body["error"]["code"], "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn a_paralegal_never_reads_a_clients_ssn_and_may_not_write_it() {
    let app = app().await;
    let firm = FirmId::new();
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let lawyer = member(&app, firm, "LAWYER").await;
    let client = Uuid::now_v7();
    let path = format!("/api/v1/probe/clients/{client}");
    grant(
        &app,
        firm,
        &format!("CLIENT/{client}"),
        paralegal.user_id,
        json!({ "action": "WRITE" }),
    )
    .await;
    assert!(
        time_until(&app, &path, &paralegal, 200, PROPAGATE)
            .await
            .is_some()
    );

    let seen = send_ok(app.as_user(Method::GET, &path, &paralegal), 200).await;
    assert_eq!(seen["name"], "Ada Lovelace");
    assert!(seen.get("ssn").is_none(), "{seen}");
    let full = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert_eq!(full["ssn"], "123-45-6789");

    send_ok(
        app.as_user(Method::PATCH, &path, &paralegal)
            .json(&json!({ "name": "A. Lovelace" })),
        200,
    )
    .await;
    let (code, body) = send(
        app.as_user(Method::PATCH, &path, &paralegal)
            .json(&json!({ "name": "A. Lovelace", "ssn": "000-00-0000" })),
    )
    .await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
    assert_eq!(body["error"]["details"]["fields"], json!(["ssn"]));
    assert!(body["error"]["message"].as_str().unwrap().contains("ssn"));
}

#[tokio::test]
async fn lists_show_what_the_caller_may_see_decided_in_sql() {
    let app = app().await;
    let firm = FirmId::new();
    let other_firm = FirmId::new();
    let mut ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    ids.sort();
    seed_matters(&app, firm, &ids).await;
    seed_matters(&app, other_firm, &[Uuid::now_v7()]).await;

    let lawyer = member(&app, firm, "LAWYER").await;
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let client_user = member(&app, firm, "CLIENT").await;
    let stranger = member(&app, other_firm, "LAWYER").await;

    assert_eq!(listed(&app, &lawyer).await, ids);
    assert!(listed(&app, &paralegal).await.is_empty());
    let (code, _) = send(app.as_user(Method::GET, "/api/v1/probe/matters", &client_user)).await;
    assert_eq!(code, 403, "a role without matters:read may not list");

    grant(
        &app,
        firm,
        &format!("MATTER/{}", ids[0]),
        paralegal.user_id,
        json!({ "action": "READ" }),
    )
    .await;
    grant(
        &app,
        firm,
        &format!("MATTER/{}", ids[1]),
        lawyer.user_id,
        json!({ "action": "DENY" }),
    )
    .await;
    assert!(
        lawos_testkit::broker::eventually(PROPAGATE, || async {
            listed(&app, &paralegal).await == [ids[0]]
                && listed(&app, &lawyer).await == [ids[0], ids[2]]
        })
        .await
    );

    // Another firm's lawyer sees only its own firm's matter, and none of these.
    let theirs = listed(&app, &stranger).await;
    assert_eq!(theirs.len(), 1);
    assert!(ids.iter().all(|id| !theirs.contains(id)));
}

#[tokio::test]
async fn capabilities_survive_in_redis_and_are_dropped_with_the_event() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let authz = authz(&app);
    let caps = authz.capabilities(firm.0, lawyer.user_id.0).await.unwrap();
    assert!(caps.reach("matters:read").is_some());
    assert_eq!(authz.stats().rbac_calls, 1);

    // Another instance (same Redis, empty process cache) is served by Redis.
    authz.clear_local();
    authz.capabilities(firm.0, lawyer.user_id.0).await.unwrap();
    let stats = authz.stats();
    assert_eq!((stats.rbac_calls, stats.redis_hits), (1, 1), "{stats:?}");

    // A new assignment emits permission.changed: both levels drop the entry.
    send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/assignments", &firm_admin(firm))
            .json(&json!({ "userId": lawyer.user_id, "role": "STAFF" })),
        201,
    )
    .await;
    assert!(
        lawos_testkit::broker::eventually(PROPAGATE, || async {
            authz.cached(firm.0, lawyer.user_id.0).is_none()
        })
        .await
    );
    let caps = authz.capabilities(firm.0, lawyer.user_id.0).await.unwrap();
    assert_eq!(authz.stats().rbac_calls, 2);
    assert!(
        caps.doc.roles.contains(&"STAFF".to_owned()),
        "{:?}",
        caps.doc.roles
    );
}

#[tokio::test]
async fn a_lost_broker_connection_resubscribes_and_empties_the_process_cache() {
    let app = app().await;
    let firm = FirmId::new();
    let paralegal = member(&app, firm, "PARALEGAL").await;
    let matter = Uuid::now_v7();
    let path = format!("/api/v1/probe/matters/{matter}");
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);
    assert!(authz(&app).cached(firm.0, paralegal.user_id.0).is_some());

    let vhost = app.vhost.as_ref().unwrap();
    assert!(vhost.close_connections("lawos-broadcast").await >= 1);
    assert!(
        lawos_testkit::broker::eventually(SETTLE, || async { authz(&app).stats().sessions >= 2 })
            .await,
        "the subscription did not come back"
    );
    assert!(authz(&app).cached(firm.0, paralegal.user_id.0).is_none());

    // Invalidation works on the new session.
    assert_eq!(status(&app, Method::GET, &path, &paralegal).await, 404);
    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        paralegal.user_id,
        json!({ "action": "READ" }),
    )
    .await;
    assert!(
        time_until(&app, &path, &paralegal, 200, SETTLE)
            .await
            .is_some()
    );
}

#[tokio::test]
async fn decisions_for_another_user_follow_their_role_and_walls() {
    use lawos_authz::{Decision, Resource};
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = member(&app, firm, "LAWYER").await;
    let staff = member(&app, firm, "STAFF").await;
    let matter = Uuid::now_v7();
    let task = Resource::new("TASK", Uuid::now_v7()).under("MATTER", matter);
    let decide = |user: lawos_core::UserId, scope: &'static str, resource: Resource| {
        let authz = authz(&app);
        async move {
            authz
                .decide_for(firm, user, scope, &resource)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        decide(lawyer.user_id, "matters:read", Resource::matter(matter)).await,
        Decision::Allowed
    );
    assert_eq!(
        decide(lawyer.user_id, "tasks:read", task).await,
        Decision::Allowed
    );
    // STAFF reaches assigned matters only.
    assert_eq!(
        decide(staff.user_id, "tasks:read", task).await,
        Decision::Hidden
    );
    // Another firm's user has nothing here.
    let stranger = lawos_core::UserId::new();
    assert_eq!(
        decide(stranger, "matters:read", Resource::matter(matter)).await,
        Decision::Hidden
    );

    grant(
        &app,
        firm,
        &format!("MATTER/{matter}"),
        lawyer.user_id,
        json!({ "action": "DENY", "reason": "ethical wall" }),
    )
    .await;
    let walled = lawos_testkit::broker::eventually(SETTLE, || async {
        decide(lawyer.user_id, "tasks:read", task).await == Decision::Hidden
    })
    .await;
    assert!(walled, "the wall did not reach the decision for the lawyer");
    assert_eq!(
        decide(lawyer.user_id, "matters:read", Resource::matter(matter)).await,
        Decision::Hidden
    );
}
