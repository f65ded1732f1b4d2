//! `POST /api/v1/auth/firms/{firmId}/users` through the Logto bridge (a wiremock
//! Logto): the Logto user created or reused and added to the firm's
//! organization, the user mirror, invitations, 502 on a Logto failure with
//! nothing kept, Logto compensated when rbac fails, and who may provision.
#![allow(clippy::unwrap_used)]

mod common;
mod logto_common;

use std::cell::RefCell;
use std::sync::Arc;

use common::{count, expect_error, expect_fields, texts};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_svc_auth::config::LogtoSettings;
use lawos_svc_auth::logto::Bridge;
use lawos_testkit::{TestApp, TestUser};
use logto_common::{M2M_TOKEN, link_org, logto_member, memberships, settings, sync_log};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{bearer_token, body_json, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG: &str = "org-acme";

thread_local! {
    /// The Logto the auth service of this test talks to.
    static LOGTO: RefCell<Option<LogtoSettings>> = const { RefCell::new(None) };
}

fn mount(env: &ServiceEnv) -> Mount {
    let mut mount = (lawos_svc_auth::SPEC.mount)(env);
    let inner = mount.configure.clone();
    let bridge = LOGTO
        .with(|l| l.borrow().clone())
        .map_or_else(Bridge::default, Bridge::new);
    let bridge = actix_web::web::Data::new(bridge);
    mount.configure = Arc::new(move |cfg| {
        inner(cfg);
        cfg.app_data(bridge.clone());
    });
    mount
}

/// The auth service with its bridge pointed at the test's Logto.
const AUTH: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_auth::SPEC
};

struct Fixture {
    app: TestApp,
    logto: MockServer,
    firm: Uuid,
}

/// Auth (bridge on) with rbac or without it, and a firm linked to [`ORG`].
async fn fixture(with_rbac: bool) -> Fixture {
    let logto = MockServer::start().await;
    LOGTO.with(|l| *l.borrow_mut() = Some(settings(&logto)));
    let app = if with_rbac {
        TestApp::spawn(&[AUTH, lawos_svc_rbac::SPEC]).await
    } else {
        TestApp::spawn(&[AUTH]).await
    };
    logto_common::token_endpoint(&logto, 0..).await;
    let firm = Uuid::now_v7();
    link_org(&app, firm, ORG).await;
    Fixture { app, logto, firm }
}

fn users_path(firm: Uuid) -> String {
    format!("/api/v1/auth/firms/{firm}/users")
}

fn body(email: &str) -> Value {
    json!({
        "email": email,
        "fullName": "Jane Roe",
        "role": "LAWYER",
        "logtoOrgId": ORG,
        "credentials": [{
            "type": "BAR_LICENSE", "jurisdiction": "CA", "licenseNumber": "777",
            "issuedDate": "2016-01-01", "expiresAt": "2031-01-01"
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

/// The organization roles, one of them named like a firm role.
async fn roles_endpoint(logto: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/organization-roles"))
        .and(bearer_token(M2M_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "role-admin", "name": "admin", "description": null, "type": "User"},
            {"id": "role-lawyer", "name": "lawyer", "description": null, "type": "User"},
        ])))
        .mount(logto)
        .await;
}

/// `GET /api/users` searching `email`, answering `users`.
async fn search_endpoint(logto: &MockServer, email: &str, users: Value, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/users"))
        .and(query_param("search.primaryEmail", email))
        .and(bearer_token(M2M_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(users))
        .expect(times)
        .named("search users by e-mail")
        .mount(logto)
        .await;
}

async fn create_endpoint(logto: &MockServer, email: &str, answer: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/users"))
        .and(body_partial_json(
            json!({ "primaryEmail": email, "name": "Jane Roe" }),
        ))
        .respond_with(answer)
        .expect(times)
        .named("create user")
        .mount(logto)
        .await;
}

async fn add_endpoint(logto: &MockServer, user: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(format!("/api/organizations/{ORG}/users")))
        .and(body_json(json!({ "userIds": [user] })))
        .respond_with(ResponseTemplate::new(201))
        .expect(times)
        .named("add to organization")
        .mount(logto)
        .await;
}

async fn org_roles_endpoint(logto: &MockServer, user: &str, times: u64) {
    Mock::given(method("PUT"))
        .and(path(format!("/api/organizations/{ORG}/users/{user}/roles")))
        .and(body_json(json!({ "organizationRoleIds": ["role-lawyer"] })))
        .respond_with(ResponseTemplate::new(204))
        .expect(times)
        .named("organization roles")
        .mount(logto)
        .await;
}

/// rbac's assignments in `firm`, as a platform administrator.
async fn assignments(app: &TestApp, firm: Uuid) -> Vec<Value> {
    let admin = TestUser::system_admin().with_scopes(&["access-grants:read"]);
    let res = app
        .as_user(Method::GET, "/api/v1/rbac/assignments", &admin)
        .header("x-firm-id", firm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["data"].as_array().unwrap().clone()
}

/// Rows of this service the provisioning of `email` into `firm` may leave.
async fn left_behind(app: &TestApp, email: &str, firm: Uuid) -> i64 {
    count(
        app,
        &format!(
            "select (select count(*) from auth.users where email = '{email}') \
             + (select count(*) from auth.firm_user_profiles where firm_id = '{firm}') \
             + (select count(*) from auth.lawyer_credentials where firm_id = '{firm}') \
             + (select count(*) from auth.logto_org_memberships where firm_id = '{firm}') \
             + (select count(*) from auth.outbox where firm_id = '{firm}' \
                  and event_type not like 'logto_organization.%')"
        ),
    )
    .await
}

async fn mirror_of(app: &TestApp, email: &str) -> String {
    let rows = texts(
        app,
        &format!(
            "select issuer || ' ' || subject || ' ' || is_active::text as v \
             from auth.users where email = '{email}'"
        ),
    )
    .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].clone()
}

#[tokio::test]
async fn a_new_person_becomes_a_logto_user_in_the_firms_organization() {
    let f = fixture(true).await;
    let email = "jane.roe@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(&f.logto, email, json!([]), 1).await;
    let created = logto_member("logto-u1", email, &[]);
    create_endpoint(
        &f.logto,
        email,
        ResponseTemplate::new(200).set_body_json(created),
        1,
    )
    .await;
    add_endpoint(&f.logto, "logto-u1", 1).await;
    org_roles_endpoint(&f.logto, "logto-u1", 1).await;

    let mut request = body("Jane.Roe@Acme.example");
    request["password"] = json!("initial-password");
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &request).await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    f.logto.verify().await;
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(user["email"], email);
    assert_eq!(user["profiles"][0]["role"], "LAWYER");
    assert_eq!(user["profiles"][0]["isActive"], true);
    assert_eq!(user["credentials"][0]["licenseNumber"], "777");
    assert_eq!(user["logtoMember"]["status"], "ACTIVE");
    assert_eq!(user["logtoMember"]["logtoUserId"], "logto-u1");
    assert_eq!(user["logtoMember"]["roles"][0]["id"], "role-lawyer");

    // The mirror row is the Logto identity; no local password.
    let issuer = format!("{}/oidc", f.logto.uri());
    assert_eq!(
        mirror_of(&f.app, email).await,
        format!("{issuer} logto-u1 true")
    );
    let passwords = count(
        &f.app,
        &format!("select count(*) from auth.local_credentials where user_id = '{id}'"),
    )
    .await;
    assert_eq!(passwords, 0);

    // The membership is recorded, the exchange logged, the role held in rbac.
    let members = memberships(&f.app, f.firm).await;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].user_id.map(|u| u.to_string()), Some(id.clone()));
    let log = sync_log(&f.app, f.firm).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].operation.as_str(), log[0].status.as_str()),
        ("user.provision", "SUCCEEDED")
    );
    assert_eq!(log[0].details["logtoUserCreated"], true);
    let held = assignments(&f.app, f.firm).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["userId"], id.as_str());
    assert_eq!(held[0]["role"], "LAWYER");
}

#[tokio::test]
async fn an_existing_logto_user_is_reused_in_the_linked_organization() {
    let f = fixture(true).await;
    let email = "known@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(
        &f.logto,
        email,
        json!([logto_member("logto-u2", email, &[])]),
        1,
    )
    .await;
    create_endpoint(&f.logto, email, ResponseTemplate::new(200), 0).await;
    add_endpoint(&f.logto, "logto-u2", 1).await;
    org_roles_endpoint(&f.logto, "logto-u2", 1).await;

    // No logtoOrgId: the firm's linked organization is used.
    let mut request = body(email);
    request.as_object_mut().unwrap().remove("logtoOrgId");
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &request).await;
    assert_eq!(res.status(), 201);
    f.logto.verify().await;
    let issuer = format!("{}/oidc", f.logto.uri());
    assert_eq!(
        mirror_of(&f.app, email).await,
        format!("{issuer} logto-u2 true")
    );
    assert_eq!(
        sync_log(&f.app, f.firm).await[0].details["logtoUserCreated"],
        false
    );
}

#[tokio::test]
async fn an_invitation_is_sent_and_the_membership_is_invited() {
    let f = fixture(true).await;
    let email = "invitee@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(&f.logto, email, json!([]), 0).await;
    create_endpoint(&f.logto, email, ResponseTemplate::new(200), 0).await;
    Mock::given(method("POST"))
        .and(path("/api/organization-invitations"))
        .and(body_partial_json(json!({
            "invitee": email, "organizationId": ORG, "organizationRoleIds": ["role-lawyer"],
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "inv-1", "invitee": email, "status": "Pending",
        })))
        .expect(1)
        .named("invitation")
        .mount(&f.logto)
        .await;

    // A password together with invite is refused before Logto is called.
    let mut request = body(email);
    request["invite"] = json!(true);
    request["password"] = json!("some-password");
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &request).await;
    expect_fields(res, &["password"]).await;

    request.as_object_mut().unwrap().remove("password");
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &request).await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    f.logto.verify().await;
    assert_eq!(user["isActive"], false, "{user}");
    assert_eq!(user["profiles"][0]["isActive"], false);
    assert_eq!(user["logtoMember"]["status"], "INVITED");
    assert_eq!(user["logtoMember"]["invitationId"], "inv-1");
    let issuer = format!("{}/oidc", f.logto.uri());
    assert_eq!(
        mirror_of(&f.app, email).await,
        format!("{issuer} invitation:inv-1 false")
    );
    let members = memberships(&f.app, f.firm).await;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].status, "INVITED");
    assert_eq!(assignments(&f.app, f.firm).await.len(), 1);

    // Accepted in Logto, the sync makes the user that Logto user, active.
    Mock::given(method("GET"))
        .and(path(format!("/api/organizations/{ORG}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ORG, "name": "Acme LLP", "description": null,
        })))
        .mount(&f.logto)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/organizations/{ORG}/users")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([logto_member(
                "logto-u9",
                email,
                &[("role-lawyer", "lawyer")]
            )])),
        )
        .mount(&f.logto)
        .await;
    let res = f
        .app
        .as_user(
            Method::POST,
            &format!("/api/v1/auth/firms/{}/logto/sync", f.firm),
            &TestUser::system_admin(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        mirror_of(&f.app, email).await,
        format!("{issuer} logto-u9 true")
    );
    let active = count(
        &f.app,
        &format!(
            "select count(*) from auth.firm_user_profiles where firm_id = '{}' and is_active",
            f.firm
        ),
    )
    .await;
    assert_eq!(active, 1);
    assert_eq!(memberships(&f.app, f.firm).await[0].status, "ACTIVE");
}

#[tokio::test]
async fn a_logto_failure_answers_502_and_keeps_nothing() {
    let f = fixture(true).await;
    let email = "unlucky@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(&f.logto, email, json!([]), 1).await;
    create_endpoint(&f.logto, email, ResponseTemplate::new(503), 1).await;
    add_endpoint(&f.logto, "logto-u1", 0).await;

    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &body(email)).await;
    let err = expect_error(res, 502, "LOGTO_SYNC_FAILED").await;
    assert_eq!(err["error"]["details"]["logtoStatus"], 503);
    f.logto.verify().await;
    assert_eq!(left_behind(&f.app, email, f.firm).await, 0);
    assert!(assignments(&f.app, f.firm).await.is_empty());
    let log = sync_log(&f.app, f.firm).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "FAILED");
}

#[tokio::test]
async fn an_rbac_failure_takes_the_logto_steps_back() {
    // No rbac on this app: the role assignment fails after the Logto steps.
    let f = fixture(false).await;
    let email = "orphan@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(&f.logto, email, json!([]), 1).await;
    let created = logto_member("logto-u3", email, &[]);
    create_endpoint(
        &f.logto,
        email,
        ResponseTemplate::new(200).set_body_json(created),
        1,
    )
    .await;
    add_endpoint(&f.logto, "logto-u3", 1).await;
    org_roles_endpoint(&f.logto, "logto-u3", 1).await;
    Mock::given(method("DELETE"))
        .and(path(format!("/api/organizations/{ORG}/users/logto-u3")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .named("remove from organization")
        .mount(&f.logto)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/users/logto-u3"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .named("delete the created user")
        .mount(&f.logto)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/organization-invitations/inv-2"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .named("withdraw the invitation")
        .mount(&f.logto)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/organization-invitations"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "inv-2", "invitee": "late@acme.example", "status": "Pending",
        })))
        .expect(1)
        .mount(&f.logto)
        .await;

    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &body(email)).await;
    let err = expect_error(res, 503, "SERVICE_UNAVAILABLE").await;
    assert_eq!(err["error"]["details"]["step"], "roleAssignment", "{err}");
    assert_eq!(left_behind(&f.app, email, f.firm).await, 0);

    let mut invite = body("late@acme.example");
    invite["invite"] = json!(true);
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &invite).await;
    expect_error(res, 503, "SERVICE_UNAVAILABLE").await;
    assert_eq!(left_behind(&f.app, "late@acme.example", f.firm).await, 0);
    f.logto.verify().await;
}

#[tokio::test]
async fn organizations_other_than_the_firms_and_missing_ones_are_refused() {
    let f = fixture(true).await;
    let admin = TestUser::system_admin();
    let mut wrong = body("x@acme.example");
    wrong["logtoOrgId"] = json!("org-elsewhere");
    let res = provision(&f.app, &admin, f.firm, &wrong).await;
    expect_fields(res, &["logtoOrgId"]).await;

    // A firm without an organization: no invitation, and the identity is local.
    let bare = Uuid::now_v7();
    let res = provision(&f.app, &admin, bare, &body("x@acme.example")).await;
    expect_fields(res, &["logtoOrgId"]).await;
    let mut invite = body("x@acme.example");
    invite.as_object_mut().unwrap().remove("logtoOrgId");
    invite["invite"] = json!(true);
    let res = provision(&f.app, &admin, bare, &invite).await;
    expect_fields(res, &["invite", "password"]).await;
    let mut local = body("local@acme.example");
    local.as_object_mut().unwrap().remove("logtoOrgId");
    local["password"] = json!("local-password");
    let res = provision(&f.app, &admin, bare, &local).await;
    assert_eq!(res.status(), 201);
    let local_issuer = texts(
        &f.app,
        "select issuer as v from auth.users where email = 'local@acme.example'",
    )
    .await;
    assert_ne!(local_issuer[0], format!("{}/oidc", f.logto.uri()));
    assert_eq!(left_behind(&f.app, "x@acme.example", f.firm).await, 0);
    assert!(sync_log(&f.app, f.firm).await.is_empty());
}

#[tokio::test]
async fn another_firms_admin_gets_404_and_a_lawyer_403() {
    let f = fixture(true).await;
    let other_admin = TestUser::member(FirmId::new(), "FIRM_ADMIN");
    let res = provision(&f.app, &other_admin, f.firm, &body("x@acme.example")).await;
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let lawyer = TestUser::member(FirmId(f.firm), "LAWYER");
    let res = provision(&f.app, &lawyer, f.firm, &body("x@acme.example")).await;
    expect_error(res, 403, "PERMISSION_DENIED").await;
    assert_eq!(left_behind(&f.app, "x@acme.example", f.firm).await, 0);
    assert!(sync_log(&f.app, f.firm).await.is_empty());
    assert!(f.logto.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_commit_undoes_rbac_and_logto() {
    let f = fixture(true).await;
    common::sql(
        &f.app,
        "create function auth.test_refuse_commit() returns trigger language plpgsql as $$ \
         begin if new.email like 'doomed%' then raise exception 'refused at commit'; end if; \
         return null; end $$; \
         create constraint trigger test_refuse_commit after insert on auth.users \
         deferrable initially deferred for each row execute function auth.test_refuse_commit();",
    )
    .await;
    let email = "doomed@acme.example";
    roles_endpoint(&f.logto).await;
    search_endpoint(&f.logto, email, json!([]), 1).await;
    let created = logto_member("logto-u4", email, &[]);
    create_endpoint(
        &f.logto,
        email,
        ResponseTemplate::new(200).set_body_json(created),
        1,
    )
    .await;
    add_endpoint(&f.logto, "logto-u4", 1).await;
    org_roles_endpoint(&f.logto, "logto-u4", 1).await;
    for p in [
        format!("/api/organizations/{ORG}/users/logto-u4"),
        "/api/users/logto-u4".to_owned(),
    ] {
        Mock::given(method("DELETE"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&f.logto)
            .await;
    }
    let res = provision(&f.app, &TestUser::system_admin(), f.firm, &body(email)).await;
    assert_eq!(res.status().as_u16(), 500);
    f.logto.verify().await;
    assert_eq!(left_behind(&f.app, email, f.firm).await, 0);
    let held = assignments(&f.app, f.firm).await;
    assert_eq!(held.len(), 1);
    assert!(held[0]["revokedAt"].is_string(), "compensated: {held:?}");
}
