//! Support access: sessions and their act-as tokens (also by token exchange),
//! both identities in events, the access log, revocation refused by other
//! services within a second, and admin locks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_core::{FirmId, UserId};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const SESSIONS: &str = "/api/v1/auth/support-access/sessions";
const LOCKS: &str = "/api/v1/auth/support-access/locks";
const REASON: &str = "Ticket 4711: the firm admin cannot open a matter";

async fn spawn() -> TestApp {
    TestApp::spawn(&[
        lawos_svc_auth::SPEC,
        lawos_svc_tenants::SPEC,
        lawos_svc_rbac::SPEC,
    ])
    .await
}

/// A system administrator in the user table, and a token with the support scopes.
async fn support_admin(app: &TestApp, email: &str) -> TestUser {
    let id = seed_user(app, email, "admin-password", Some("SYSTEM_ADMIN"), &[]).await;
    TestUser {
        user_id: UserId(id),
        firm_id: None,
        roles: vec!["SYSTEM_ADMIN".into()],
        scopes: vec![
            "support-access:create".into(),
            "support-access:read".into(),
            "support-access:revoke".into(),
        ],
    }
}

async fn start(app: &TestApp, admin: &TestUser, body: &Value) -> reqwest::Response {
    app.as_user(Method::POST, SESSIONS, admin)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn body(target: Uuid, firm: Uuid) -> Value {
    json!({ "targetUserId": target, "firmId": firm, "reason": REASON })
}

async fn started(app: &TestApp, admin: &TestUser, body: &Value) -> Value {
    let res = start(app, admin, body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn get(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_act_as_session_carries_both_identities_and_its_revocation_is_refused_elsewhere_at_once()
{
    let app = spawn().await;
    let admin = support_admin(&app, "support@lawos.example").await;
    let firm = Uuid::now_v7();
    let target = seed_user(
        &app,
        "admin@smith.example",
        "pw-12345678",
        None,
        &[(firm, "FIRM_ADMIN")],
    )
    .await;

    let created = started(&app, &admin, &body(target, firm)).await;
    let session = &created["session"];
    let sid = session["id"].as_str().unwrap().to_owned();
    assert_eq!(session["status"], "ACTIVE");
    assert_eq!(session["adminUserId"], admin.user_id.to_string());
    assert_eq!(session["targetUserId"], target.to_string());
    assert_eq!(session["reason"], REASON);
    let token = created["accessToken"].as_str().unwrap().to_owned();

    // The act-as token: the target in the firm, the admin in `act`, the session as `sid`.
    let claims = claims(&app, &token).await;
    assert_eq!(claims.sub, target.to_string());
    assert_eq!(claims.firm_id, Some(FirmId(firm)));
    assert_eq!(claims.act.as_ref().unwrap().sub, admin.user_id.to_string());
    assert_eq!(claims.sid.as_deref(), Some(sid.as_str()));
    assert_eq!(claims.roles, ["FIRM_ADMIN"]);
    assert_eq!(claims.client_id.as_deref(), Some("lawos-support"));
    assert_eq!(
        claims.exp - claims.iat,
        900,
        "the normal lifetime, shorter than the hour"
    );

    // Another process (auth, tenants, rbac) trusting the issuer's JWKS.
    let other = trusting_server_of(
        &app,
        &[
            lawos_svc_auth::SPEC,
            lawos_svc_tenants::SPEC,
            lawos_svc_rbac::SPEC,
        ],
        Duration::from_secs(30),
    )
    .await;
    let me = get(&format!("{other}/api/v1/auth/me"), &token).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], target.to_string());

    // A change made under the session: rbac's events carry both identities.
    let lawyer = Uuid::now_v7();
    let res = reqwest::Client::new()
        .post(format!("{other}/api/v1/rbac/assignments"))
        .bearer_auth(&token)
        .json(&json!({ "userId": lawyer, "role": "LAWYER" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let actors = texts(
        &app,
        &format!(
            "select event_type || ' ' || (payload->'actor'->>'userId') || ' ' || \
             coalesce(payload->'actor'->>'actAs', '-') as v from rbac.outbox \
             where payload->'data'->'userIds' ? '{lawyer}' or entity_type = 'role_assignment' \
             order by seq"
        ),
    )
    .await;
    assert!(!actors.is_empty());
    for actor in &actors {
        assert!(
            actor.ends_with(&format!(" {target} {}", admin.user_id)),
            "{actor}: userId = the target, actAs = the admin"
        );
    }

    // Every request under the session reaches the access log (drained from Redis).
    let cache = app.envs[0].cache.clone().unwrap();
    let db = app.envs[0].db.clone();
    let logged = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || {
        let (db, cache, app, sid) = (db.clone(), cache.clone(), &app, sid.clone());
        async move {
            lawos_svc_auth::support::access_log::drain_once(&db, &cache)
                .await
                .unwrap();
            let rows = texts(
                app,
                &format!(
                    "select service || ' ' || method || ' ' || path || ' ' || status as v \
                     from auth.support_access_log where session_id = '{sid}' order by at"
                ),
            )
            .await;
            rows == [
                "auth GET /api/v1/auth/me 200",
                "rbac POST /api/v1/rbac/assignments 201",
            ]
        }
    })
    .await;
    assert!(logged, "both requests logged");

    // Revoked: the other process refuses the token at once, in every service.
    let res = app
        .as_user(Method::DELETE, &format!("{SESSIONS}/{sid}"), &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let revoked: Value = res.json().await.unwrap();
    assert_eq!(revoked["status"], "REVOKED");
    assert_eq!(revoked["revokedBy"], admin.user_id.to_string());
    for path in [
        "/api/v1/auth/me",
        &format!("/api/v1/tenants/{firm}"),
        "/api/v1/rbac/assignments",
    ] {
        let res = get(&format!("{other}{path}"), &token).await;
        expect_error(res, 401, "AUTH_TOKEN_INVALID").await;
    }
    let events = texts(
        &app,
        &format!(
            "select (payload->'actor'->>'userId') || ' ' || (payload->'data'->>'targetUserId') as v \
             from auth.outbox where event_type = 'support_session.revoked' and entity_id = '{sid}'"
        ),
    )
    .await;
    assert_eq!(events, [format!("{} {target}", admin.user_id)]);
    // Revoking again changes nothing.
    let again = app
        .as_user(Method::DELETE, &format!("{SESSIONS}/{sid}"), &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let n = count(
        &app,
        "select count(*) from auth.outbox where event_type = 'support_session.revoked'",
    )
    .await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn token_exchange_starts_the_same_session() {
    let app = spawn().await;
    // The bootstrap administrator first (it is created on an empty user table).
    let admin_token = admin_login(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let firm = Uuid::now_v7();
    let target = seed_user(
        &app,
        "lawyer@smith.example",
        "pw-12345678",
        None,
        &[(firm, "LAWYER")],
    )
    .await;
    let admin_id = claims(&app, &admin_token).await.sub;
    let (target_s, firm_s) = (target.to_string(), firm.to_string());
    let grant = "urn:ietf:params:oauth:grant-type:token-exchange";
    let res = token(
        &app.base_url,
        &[
            ("grant_type", grant),
            ("subject_token", &admin_token),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            ("requested_subject", &target_s),
            ("firm_id", &firm_s),
            ("reason", REASON),
            ("duration_minutes", "5"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert!(body.get("refresh_token").is_none());
    let act_as = claims(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(act_as.sub, target_s);
    assert_eq!(act_as.act.unwrap().sub, admin_id);
    assert_eq!(act_as.roles, ["LAWYER"]);
    let sid = act_as.sid.unwrap();
    assert_eq!(body["session_id"], sid);
    // The session ends within five minutes, and so does the token.
    let ends = texts(
        &app,
        &format!(
            "select floor(extract(epoch from expires_at))::bigint::text as v \
             from auth.support_sessions where id = '{sid}' and admin_user_id = '{admin_id}'"
        ),
    )
    .await;
    assert_eq!(act_as.exp.to_string(), ends[0]);
    assert!(act_as.exp - act_as.iat <= 300);

    // Refused: a subject token without support-access:create, missing parameters.
    let lawyer_token = login_ok(&app, "lawyer@smith.example", "pw-12345678").await;
    let lawyer_token = lawyer_token["access_token"].as_str().unwrap();
    let res = token(
        &app.base_url,
        &[
            ("grant_type", grant),
            ("subject_token", lawyer_token),
            ("requested_subject", &target_s),
            ("firm_id", &firm_s),
            ("reason", REASON),
        ],
    )
    .await;
    expect_oauth_error(res, 400, "invalid_grant").await;
    let res = token(
        &app.base_url,
        &[
            ("grant_type", grant),
            ("subject_token", &admin_token),
            ("requested_subject", &target_s),
            ("firm_id", &firm_s),
        ],
    )
    .await;
    let why = expect_oauth_error(res, 400, "invalid_request").await;
    assert!(why.contains("reason"), "{why}");
    let res = token(
        &app.base_url,
        &[
            ("grant_type", grant),
            ("subject_token", &admin_token),
            ("requested_subject", &Uuid::now_v7().to_string()),
            ("firm_id", &firm_s),
            ("reason", REASON),
        ],
    )
    .await;
    expect_oauth_error(res, 400, "invalid_request").await;
}

#[tokio::test]
async fn sessions_name_bad_fields_and_refuse_the_wrong_callers() {
    let app = spawn().await;
    let admin = support_admin(&app, "support@lawos.example").await;
    let (firm, other_firm) = (Uuid::now_v7(), Uuid::now_v7());
    let target = seed_user(
        &app,
        "lawyer@smith.example",
        "pw-12345678",
        None,
        &[(firm, "LAWYER")],
    )
    .await;

    expect_fields(
        start(
            &app,
            &admin,
            &json!({ "targetUserId": target, "firmId": firm }),
        )
        .await,
        &["reason"],
    )
    .await;
    let long =
        json!({ "targetUserId": target, "firmId": firm, "reason": REASON, "durationMinutes": 481 });
    expect_fields(start(&app, &admin, &long).await, &["durationMinutes"]).await;
    let short = json!({ "targetUserId": target, "firmId": firm, "reason": "too short" });
    expect_fields(start(&app, &admin, &short).await, &["reason"]).await;
    expect_fields(
        start(&app, &admin, &body(Uuid::now_v7(), firm)).await,
        &["targetUserId"],
    )
    .await;
    expect_fields(
        start(&app, &admin, &body(target, other_firm)).await,
        &["targetUserId"],
    )
    .await;
    expect_fields(
        start(&app, &admin, &json!({})).await,
        &["targetUserId", "firmId", "reason"],
    )
    .await;

    // Not a system administrator: 403 to start, list or revoke.
    let lawyer = member_of(target, firm, "LAWYER");
    expect_error(
        start(&app, &lawyer, &body(target, firm)).await,
        403,
        "PERMISSION_DENIED",
    )
    .await;
    let res = app
        .as_user(Method::GET, SESSIONS, &lawyer)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    let created = started(
        &app,
        &admin,
        &json!({ "targetUserId": target, "firmId": firm, "reason": REASON, "durationMinutes": 1 }),
    )
    .await;
    let sid = created["session"]["id"].as_str().unwrap().to_owned();
    let one = format!("{SESSIONS}/{sid}");
    // A one-minute session: the token ends with it.
    let act_as = claims(&app, created["accessToken"].as_str().unwrap()).await;
    assert!(act_as.exp - act_as.iat <= 60);
    let res = app
        .as_user(Method::DELETE, &one, &lawyer)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    // The firm's FIRM_ADMIN sees it; another firm's sees nothing (404, empty list).
    let own_admin = TestUser::member(FirmId(firm), "FIRM_ADMIN");
    let res = app
        .as_user(Method::GET, &one, &own_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let stranger = TestUser::member(FirmId(other_firm), "FIRM_ADMIN");
    let res = app
        .as_user(Method::GET, &one, &stranger)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::GET, SESSIONS, &stranger)
        .send()
        .await
        .unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let res = app
        .as_user(Method::GET, SESSIONS, &admin)
        .send()
        .await
        .unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["data"][0]["id"], sid);
    let res = app
        .as_user(
            Method::DELETE,
            &format!("{SESSIONS}/{}", Uuid::now_v7()),
            &admin,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;

    // Someone acting as a user cannot start another session.
    let mut nested = admin.clone();
    nested.user_id = UserId(target);
    let claims = app
        .issuer
        .claims(&nested)
        .with_actor(admin.user_id.to_string());
    let nested_token = app.issuer.signer.sign(&claims).unwrap();
    let res = app
        .http
        .post(app.url(SESSIONS))
        .bearer_auth(nested_token)
        .json(&body(target, firm))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    // Past its end the session reads EXPIRED.
    sql(
        &app,
        &format!(
            "update auth.support_sessions set starts_at = now() - interval '2 hours', \
        expires_at = now() - interval '1 hour' where id = '{sid}'"
        ),
    )
    .await;
    let res = app.as_user(Method::GET, &one, &admin).send().await.unwrap();
    let expired: Value = res.json().await.unwrap();
    assert_eq!(expired["status"], "EXPIRED");
}

async fn lock(app: &TestApp, who: &TestUser, body: &Value) -> reqwest::Response {
    app.as_user(Method::POST, LOCKS, who)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn locks_are_exclusive_released_by_their_owner_only_and_expire() {
    let app = TestApp::spawn(&[lawos_svc_auth::SPEC]).await;
    let scopes = ["support-access:create"];
    let (a, b) = (
        TestUser::system_admin().with_scopes(&scopes),
        TestUser::system_admin().with_scopes(&scopes),
    );
    let matter = json!({ "resourceType": "matter", "resourceId": "m-42", "ttlSeconds": 60 });
    let res = lock(&app, &a, &matter).await;
    assert_eq!(res.status(), 201);
    let held: Value = res.json().await.unwrap();
    let id = held["id"].as_str().unwrap().to_owned();
    assert_eq!(held["ownerUserId"], a.user_id.to_string());

    let body = expect_error(lock(&app, &b, &matter).await, 409, "RESOURCE_CONFLICT").await;
    assert_eq!(body["error"]["details"]["lockId"], id);
    let res = app.as_user(Method::GET, LOCKS, &b).send().await.unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["data"][0]["id"], id);

    let path = format!("{LOCKS}/{id}");
    let res = app.as_user(Method::DELETE, &path, &b).send().await.unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = app.as_user(Method::DELETE, &path, &a).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.as_user(Method::DELETE, &path, &a).send().await.unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;

    // Released: b takes it for a second; then it expires by itself.
    let brief = json!({ "resourceType": "matter", "resourceId": "m-42", "ttlSeconds": 1 });
    assert_eq!(lock(&app, &b, &brief).await.status(), 201);
    expect_error(lock(&app, &a, &matter).await, 409, "RESOURCE_CONFLICT").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let res = app.as_user(Method::GET, LOCKS, &a).send().await.unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    assert_eq!(lock(&app, &a, &matter).await.status(), 201);

    let bad = json!({ "resourceType": "matter", "ttlSeconds": 3601 });
    expect_fields(lock(&app, &a, &bad).await, &["resourceId", "ttlSeconds"]).await;
    let lawyer = TestUser::member(FirmId(Uuid::now_v7()), "LAWYER");
    expect_error(lock(&app, &lawyer, &matter).await, 403, "PERMISSION_DENIED").await;
}

#[tokio::test]
async fn the_support_access_migration_reverses() {
    let app = TestApp::spawn(&[lawos_svc_auth::SPEC]).await;
    let dir = "../../../migrations/auth/2026-01-04-000000_support_access";
    let (up, down) = (
        include_str!("../../../migrations/auth/2026-01-04-000000_support_access/up.sql"),
        include_str!("../../../migrations/auth/2026-01-04-000000_support_access/down.sql"),
    );
    let tables = "select count(*) from information_schema.tables where table_schema = 'auth' \
                  and table_name in ('support_sessions', 'support_access_log')";
    assert_eq!(count(&app, tables).await, 2, "{dir} applied");
    sql(&app, &format!("set search_path to auth; {down}")).await;
    assert_eq!(count(&app, tables).await, 0);
    sql(&app, &format!("set search_path to auth; {up}")).await;
    assert_eq!(count(&app, tables).await, 2);
    let policies = "select count(*) from pg_policies where schemaname = 'auth' \
                    and tablename in ('support_sessions', 'support_access_log')";
    assert_eq!(count(&app, policies).await, 2);
}
