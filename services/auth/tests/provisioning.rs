//! `POST/GET /api/v1/auth/firms/{firmId}/users`: provisioning (identity, profile,
//! credentials, rbac role assignment; all or nothing) and a firm's user list.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn users_path(firm: Uuid) -> String {
    format!("/api/v1/auth/firms/{firm}/users")
}

fn body(email: &str) -> Value {
    json!({
        "email": email,
        "fullName": "John Doe",
        "role": "LAWYER",
        "invite": false,
        "password": "john-password",
        "credentials": [{
            "type": "BAR_LICENSE",
            "jurisdiction": "CA",
            "licenseNumber": "12345",
            "issuedDate": "2015-06-01",
            "expiresAt": "2030-12-31"
        }]
    })
}

async fn provision(app: &TestApp, who: &TestUser, firm: Uuid, body: &Value) -> reqwest::Response {
    app.as_user(Method::POST, &users_path(firm), who)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// rbac's assignments of `user` in `firm`, as a platform administrator.
async fn assignments(app: &TestApp, firm: Uuid, user: &str) -> Vec<Value> {
    let admin = TestUser::system_admin().with_scopes(&["access-grants:read"]);
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/rbac/assignments?user_id={user}"),
            &admin,
        )
        .header("x-firm-id", firm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["data"].as_array().unwrap().clone()
}

/// Rows the provisioning of `email` into `firm` may have left behind.
async fn left_behind(app: &TestApp, email: &str, firm: Uuid) -> i64 {
    count(
        app,
        &format!(
            "select (select count(*) from auth.users where email = '{email}') \
             + (select count(*) from auth.firm_user_profiles where firm_id = '{firm}') \
             + (select count(*) from auth.local_credentials c where not exists \
                  (select 1 from auth.users u where u.id = c.user_id and u.email <> '{email}')) \
             + (select count(*) from auth.lawyer_credentials where firm_id = '{firm}') \
             + (select count(*) from auth.outbox where firm_id = '{firm}' \
                  or payload->'data'->>'email' = '{email}')"
        ),
    )
    .await
}

#[tokio::test]
async fn a_provisioned_lawyer_signs_in_and_holds_the_role_in_rbac() {
    let app = TestApp::spawn_with_events(&[lawos_svc_auth::SPEC, lawos_svc_rbac::SPEC]).await;
    let firm = Uuid::now_v7();
    let res = provision(
        &app,
        &TestUser::system_admin(),
        firm,
        &body("John.Doe@Smithlaw.example"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/auth/users/{id}"));
    assert_eq!(created["email"], "john.doe@smithlaw.example");
    assert_eq!(created["profiles"][0]["firmId"], firm.to_string());
    assert_eq!(created["profiles"][0]["role"], "LAWYER");
    assert_eq!(created["profiles"][0]["isLawyer"], true);
    assert_eq!(created["credentials"][0]["type"], "BAR_LICENSE");
    assert_eq!(created["credentials"][0]["licenseNumber"], "12345");
    assert_eq!(created["credentials"][0]["expiresAt"], "2030-12-31");

    // The password grant works, with the role in the firm.
    let tokens = login_ok(&app, "john.doe@smithlaw.example", "john-password").await;
    let claims = claims(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(claims.firm_id, Some(FirmId(firm)));
    assert!(
        claims.roles.contains(&"LAWYER".to_owned()),
        "{:?}",
        claims.roles
    );

    // rbac holds the assignment.
    let held = assignments(&app, firm, &id).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["role"], "LAWYER");
    assert_eq!(held[0]["id"], created["roleAssignmentId"]);
    assert!(held[0]["revokedAt"].is_null());

    // user.provisioned went through the outbox.
    let events = texts(
        &app,
        "select payload->>'data' as v from auth.outbox where event_type = 'user.provisioned'",
    )
    .await;
    assert_eq!(events.len(), 1);
    let data: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(
        data,
        json!({"userId": id, "firmId": firm, "role": "LAWYER"})
    );

    // The firm's own administrator provisions too, and lists the firm's users.
    let admin_id = seed_user(
        &app,
        "boss@smithlaw.example",
        "boss-password",
        None,
        &[(firm, "FIRM_ADMIN")],
    )
    .await;
    let boss = member_of(admin_id, firm, "FIRM_ADMIN");
    let mut paralegal = body("pat@smithlaw.example");
    paralegal["role"] = json!("PARALEGAL");
    paralegal["credentials"] = json!([]);
    let res = provision(&app, &boss, firm, &paralegal).await;
    assert_eq!(res.status(), 201);
    let pat: Value = res.json().await.unwrap();
    assert_eq!(pat["profiles"][0]["isLawyer"], false);
    let res = app
        .as_user(
            Method::GET,
            &format!("{}?role=LAWYER", users_path(firm)),
            &boss,
        )
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["pagination"]["total"], 1);
    assert_eq!(page["data"][0]["id"], id);
    let res = app
        .as_user(Method::GET, &users_path(firm), &boss)
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["pagination"]["total"], 3);

    // The same e-mail again: 409, and rbac is not called.
    let res = provision(&app, &boss, firm, &body("john.doe@smithlaw.example")).await;
    let err = expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;
    assert_eq!(err["error"]["details"]["field"], "email");
    assert_eq!(assignments(&app, firm, &id).await.len(), 1);
}

#[tokio::test]
async fn an_rbac_failure_leaves_nothing_behind() {
    // rbac on a closed port, and rbac missing (the app answers 404 for its paths).
    let closed = TestApp::spawn_with(&[lawos_svc_auth::SPEC], |c| {
        c.rbac_url = "http://127.0.0.1:9".into();
    })
    .await;
    let missing = TestApp::spawn(&[lawos_svc_auth::SPEC]).await;
    for app in [&closed, &missing] {
        let firm = Uuid::now_v7();
        let res = provision(
            app,
            &TestUser::system_admin(),
            firm,
            &body("gone@smithlaw.example"),
        )
        .await;
        let err = expect_error(res, 503, "SERVICE_UNAVAILABLE").await;
        assert_eq!(err["error"]["details"]["step"], "roleAssignment", "{err}");
        assert_eq!(left_behind(app, "gone@smithlaw.example", firm).await, 0);
        expect_oauth_error(
            login(app, "gone@smithlaw.example", "john-password").await,
            400,
            "invalid_grant",
        )
        .await;
    }
}

#[tokio::test]
async fn a_failed_commit_revokes_the_rbac_assignment() {
    let app = TestApp::spawn_with_events(&[lawos_svc_auth::SPEC, lawos_svc_rbac::SPEC]).await;
    // A deferred check that fails at COMMIT, after rbac has assigned the role.
    sql(
        &app,
        "create function auth.test_refuse_commit() returns trigger language plpgsql as $$ \
         begin if new.email like 'doomed%' then raise exception 'refused at commit'; end if; \
         return null; end $$; \
         create constraint trigger test_refuse_commit after insert on auth.users \
         deferrable initially deferred for each row execute function auth.test_refuse_commit();",
    )
    .await;
    let firm = Uuid::now_v7();
    let res = provision(
        &app,
        &TestUser::system_admin(),
        firm,
        &body("doomed@smithlaw.example"),
    )
    .await;
    assert_eq!(res.status().as_u16(), 500);
    assert_eq!(left_behind(&app, "doomed@smithlaw.example", firm).await, 0);
    let admin = TestUser::system_admin().with_scopes(&["access-grants:read"]);
    let res = app
        .as_user(Method::GET, "/api/v1/rbac/assignments", &admin)
        .header("x-firm-id", firm.to_string())
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    let held = page["data"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{page}");
    assert!(held[0]["revokedAt"].is_string(), "compensated: {page}");
}

#[tokio::test]
async fn provisioning_names_bad_fields_and_refuses_the_wrong_callers() {
    let app = app().await;
    let firm = Uuid::now_v7();
    let admin = TestUser::system_admin();
    let bad = json!({
        "email": "not-an-email", "role": "JUDGE", "invite": true, "logtoOrgId": "org_1",
        "password": "short", "credentials": [{"type": "DIPLOMA", "issuedDate": "2015-13-01"}]
    });
    let res = provision(&app, &admin, firm, &bad).await;
    expect_fields(
        res,
        &[
            "email",
            "fullName",
            "role",
            "invite",
            "logtoOrgId",
            "password",
            "credentials[0].type",
            "credentials[0].jurisdiction",
            "credentials[0].licenseNumber",
            "credentials[0].issuedDate",
        ],
    )
    .await;
    let mut unknown = body("x@smithlaw.example");
    unknown["nickname"] = json!("X");
    let res = provision(&app, &admin, firm, &unknown).await;
    assert_eq!(res.status().as_u16(), 422);

    // A lawyer of the firm: 403. Another firm's administrator: 404, listing too.
    let lawyer = TestUser::member(FirmId(firm), "LAWYER");
    let res = provision(&app, &lawyer, firm, &body("x@smithlaw.example")).await;
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = app
        .as_user(Method::GET, &users_path(firm), &lawyer)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let other_admin = TestUser::member(FirmId::new(), "FIRM_ADMIN");
    let res = provision(&app, &other_admin, firm, &body("x@smithlaw.example")).await;
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::GET, &users_path(firm), &other_admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    assert_eq!(left_behind(&app, "x@smithlaw.example", firm).await, 0);
}
