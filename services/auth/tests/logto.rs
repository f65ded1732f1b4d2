//! The Logto bridge (`/api/v1/auth/logto/…`, `/api/v1/auth/firms/{firmId}/logto/…`)
//! against a wiremock Logto: the M2M token, each endpoint, failures answered
//! 502 with a FAILED sync-log row and no local change, firm isolation, roles,
//! and `firm.created` creating the organization.
#![allow(clippy::unwrap_used)]

mod logto_common;

use std::time::Duration;

use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use logto_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{bearer_token, body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const ORG: &str = "org-acme";

fn firm_path(firm: Uuid, rest: &str) -> String {
    format!("/api/v1/auth/firms/{firm}/logto/{rest}")
}

fn admin_of(firm: Uuid) -> TestUser {
    TestUser::member(FirmId(firm), "FIRM_ADMIN")
}

async fn call(
    app: &TestApp,
    who: &TestUser,
    m: Method,
    p: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.as_user(m, p, who);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// `GET /api/organizations/{ORG}` and its members.
async fn org_endpoints(f: &Fixture, members: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/api/organizations/{ORG}")))
        .and(bearer_token(M2M_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ORG, "tenantId": "default", "name": "Acme LLP", "description": "Logto org",
            "customData": {}, "isMfaRequired": false, "createdAt": 1_700_000_000_000_i64,
        })))
        .mount(&f.logto)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/organizations/{ORG}/users")))
        .and(query_param("page", "1"))
        .and(bearer_token(M2M_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(members))
        .mount(&f.logto)
        .await;
}

#[tokio::test]
async fn the_m2m_token_is_fetched_once_and_reused() {
    let f = bare_fixture().await;
    token_endpoint(&f.logto, 1).await;
    roles_endpoint(&f.logto).await;
    let admin = TestUser::system_admin();
    for _ in 0..3 {
        let (status, body) = call(
            &f.app,
            &admin,
            Method::GET,
            "/api/v1/auth/logto/roles",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"][0]["id"], "role-admin");
        assert_eq!(body["data"][1]["name"], "member");
    }
    f.logto.verify().await;
}

#[tokio::test]
async fn roles_answer_admins_and_refuse_lawyers() {
    let f = fixture().await;
    roles_endpoint(&f.logto).await;
    let firm = Uuid::now_v7();
    let (status, _) = call(
        &f.app,
        &admin_of(firm),
        Method::GET,
        "/api/v1/auth/logto/roles",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lawyer = TestUser::member(FirmId(firm), "LAWYER");
    let (status, body) = call(
        &f.app,
        &lawyer,
        Method::GET,
        "/api/v1/auth/logto/roles",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "PERMISSION_DENIED");
}

#[tokio::test]
async fn orgs_list_every_org_for_platform_admins_and_their_own_for_a_firm_admin() {
    let f = fixture().await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    link_org(&f.app, a, "org-a").await;
    link_org(&f.app, b, "org-b").await;
    let (status, body) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::GET,
        "/api/v1/auth/logto/orgs",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["pagination"]["total"], 2);
    let (_, page) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::GET,
        "/api/v1/auth/logto/orgs?limit=1",
        None,
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["pagination"]["hasMore"], true);
    let (status, body) = call(
        &f.app,
        &admin_of(a),
        Method::GET,
        "/api/v1/auth/logto/orgs",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["pagination"]["total"], 1);
    assert_eq!(body["data"][0]["logtoOrgId"], "org-a");
    assert_eq!(body["data"][0]["firmId"], a.to_string());
    let lawyer = TestUser::member(FirmId(a), "LAWYER");
    let (status, _) = call(
        &f.app,
        &lawyer,
        Method::GET,
        "/api/v1/auth/logto/orgs",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::GET,
        "/api/v1/auth/logto/orgs?limit=0",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("limit"), "{body}");
}

#[tokio::test]
async fn sync_pulls_members_roles_and_the_user_mirror() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    link_org(&f.app, firm, ORG).await;
    org_endpoints(
        &f,
        json!([
            logto_member("lu-1", "Ann@Example.com", &[("role-admin", "admin")]),
            logto_member("lu-2", "bob@example.com", &[("role-member", "member")]),
        ]),
    )
    .await;
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::POST,
        &firm_path(firm, "sync"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["added"], 2);
    assert_eq!(body["removed"], 0);
    assert_eq!(body["organization"]["name"], "Acme LLP");
    assert!(body["organization"]["syncedAt"].is_string());
    let (status, list) = call(
        &f.app,
        &admin_of(firm),
        Method::GET,
        &firm_path(firm, "members"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["pagination"]["total"], 2);
    let ann = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["logtoUserId"] == "lu-1")
        .unwrap()
        .clone();
    assert_eq!(ann["email"], "ann@example.com");
    assert_eq!(ann["status"], "ACTIVE");
    assert_eq!(ann["roles"], json!([{"id": "role-admin", "name": "admin"}]));
    assert!(ann["userId"].is_string(), "mirrored: {ann}");
    // The mirror row is the Logto identity: issuer {endpoint}/oidc, subject the Logto id.
    let user_id: Uuid = ann["userId"].as_str().unwrap().parse().unwrap();
    let (status, user) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::GET,
        &format!("/api/v1/auth/users/{user_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["email"], "ann@example.com");
    let (status, one) = call(
        &f.app,
        &admin_of(firm),
        Method::GET,
        &firm_path(firm, &format!("members/{}", ann["id"].as_str().unwrap())),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, ann);

    // Logto drops Bob and changes Ann's roles: the next sync follows, keeping ids.
    f.logto.reset().await;
    token_endpoint(&f.logto, 0..).await;
    org_endpoints(
        &f,
        json!([logto_member(
            "lu-1",
            "ann@example.com",
            &[("role-member", "member")]
        )]),
    )
    .await;
    let (status, body) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::POST,
        &firm_path(firm, "sync"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["added"].as_i64(),
            body["updated"].as_i64(),
            body["removed"].as_i64()
        ),
        (Some(0), Some(1), Some(1))
    );
    let cached = memberships(&f.app, firm).await;
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0].id.to_string(), ann["id"].as_str().unwrap());
    assert_eq!(
        cached[0].roles,
        json!([{"id": "role-member", "name": "member"}])
    );
    let log = sync_log(&f.app, firm).await;
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|r| r.operation == "org.sync" && r.status == "SUCCEEDED" && r.direction == "PULL")
    );
    assert_eq!(log[1].details["removed"], 1);
}

#[tokio::test]
async fn a_logto_failure_answers_502_logs_it_and_changes_nothing() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    link_org(&f.app, firm, ORG).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/organizations/{ORG}")))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .mount(&f.logto)
        .await;
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::POST,
        &firm_path(firm, "sync"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(code(&body), "LOGTO_SYNC_FAILED");
    assert_eq!(body["error"]["details"]["logtoStatus"], 503);
    assert!(body["error"]["requestId"].is_string());
    assert!(memberships(&f.app, firm).await.is_empty());
    let log = sync_log(&f.app, firm).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "FAILED");
    assert_eq!(log[0].operation, "org.sync");
    assert_eq!(log[0].logto_org_id.as_deref(), Some(ORG));
    assert!(log[0].error.as_deref().unwrap().contains("503"));
    let (_, org) = call(
        &f.app,
        &admin_of(firm),
        Method::GET,
        "/api/v1/auth/logto/orgs",
        None,
    )
    .await;
    assert!(org["data"][0]["syncedAt"].is_null(), "{org}");

    // A body Logto should not send is a failure too.
    f.logto.reset().await;
    token_endpoint(&f.logto, 0..).await;
    Mock::given(method("GET"))
        .and(path("/api/organization-roles"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&f.logto)
        .await;
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::GET,
        "/api/v1/auth/logto/roles",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(code(&body), "LOGTO_SYNC_FAILED");
}

#[tokio::test]
async fn adding_an_existing_logto_user_adds_them_with_roles() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    link_org(&f.app, firm, ORG).await;
    roles_endpoint(&f.logto).await;
    Mock::given(method("GET"))
        .and(path("/api/users"))
        .and(query_param("search.primaryEmail", "carol@example.com"))
        .and(query_param("mode.primaryEmail", "exact"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([logto_member(
                "lu-carol",
                "carol@example.com",
                &[]
            ),])),
        )
        .expect(1)
        .mount(&f.logto)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/api/organizations/{ORG}/users")))
        .and(body_json(json!({"userIds": ["lu-carol"]})))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&f.logto)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/organizations/{ORG}/users/lu-carol/roles"
        )))
        .and(body_json(json!({"organizationRoleIds": ["role-member"]})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&f.logto)
        .await;
    let body = json!({"email": "Carol@Example.com", "roleIds": ["role-member"]});
    let (status, member) = call(
        &f.app,
        &admin_of(firm),
        Method::POST,
        &firm_path(firm, "members"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["status"], "ACTIVE");
    assert_eq!(member["logtoUserId"], "lu-carol");
    assert_eq!(
        member["roles"],
        json!([{"id": "role-member", "name": "member"}])
    );
    assert!(member["userId"].is_string());
    f.logto.verify().await;
    // The same person again: 409, and Logto is not asked.
    let (status, again) = call(
        &f.app,
        &admin_of(firm),
        Method::POST,
        &firm_path(firm, "members"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let log = sync_log(&f.app, firm).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].operation.as_str(),
            log[0].status.as_str(),
            log[0].direction.as_str()
        ),
        ("member.add", "SUCCEEDED", "PUSH")
    );
}

#[tokio::test]
async fn an_unknown_person_is_invited() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    link_org(&f.app, firm, ORG).await;
    roles_endpoint(&f.logto).await;
    Mock::given(method("GET"))
        .and(path("/api/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&f.logto)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/organization-invitations"))
        .and(wiremock::matchers::body_partial_json(json!({
            "invitee": "dan@example.com",
            "organizationId": ORG,
            "organizationRoleIds": ["role-admin"],
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "inv-1", "inviterId": null, "invitee": "dan@example.com", "acceptedUserId": null,
            "organizationId": ORG, "status": "Pending", "createdAt": 1, "updatedAt": 1,
            "expiresAt": 2, "organizationRoles": [{"id": "role-admin", "name": "admin"}],
        })))
        .expect(1)
        .mount(&f.logto)
        .await;
    let body = json!({"email": "dan@example.com", "roleIds": ["role-admin"]});
    let (status, member) = call(
        &f.app,
        &TestUser::system_admin(),
        Method::POST,
        &firm_path(firm, "members"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["status"], "INVITED");
    assert_eq!(member["invitationId"], "inv-1");
    assert!(member["logtoUserId"].is_null());
    f.logto.verify().await;

    // Withdrawing the invitation deletes it in Logto.
    Mock::given(method("DELETE"))
        .and(path("/api/organization-invitations/inv-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&f.logto)
        .await;
    let id = member["id"].as_str().unwrap();
    let (status, _) = call(
        &f.app,
        &admin_of(firm),
        Method::DELETE,
        &firm_path(firm, &format!("members/{id}")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(memberships(&f.app, firm).await.is_empty());
    f.logto.verify().await;
}

#[tokio::test]
async fn invalid_input_is_422_naming_the_field() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    link_org(&f.app, firm, ORG).await;
    roles_endpoint(&f.logto).await;
    let admin = admin_of(firm);
    let members = firm_path(firm, "members");
    let (status, body) = call(
        &f.app,
        &admin,
        Method::POST,
        &members,
        Some(json!({"email": "nope"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "email");
    let (status, body) = call(
        &f.app,
        &admin,
        Method::POST,
        &members,
        Some(json!({"roleIds": ["role-admin"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "email");
    // A role Logto does not have is named by its position.
    let (status, body) = call(
        &f.app,
        &admin,
        Method::POST,
        &members,
        Some(json!({"email": "e@example.com", "roleIds": ["role-admin", "role-ghost"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "roleIds[1]");
    let (status, body) = call(
        &f.app,
        &admin,
        Method::POST,
        &members,
        Some(json!({"email": "e@example.com", "nickname": "x"})),
    )
    .await;
    assert_eq!(status.as_u16() / 100, 4, "{body}");
    assert!(body.to_string().contains("nickname"), "{body}");
    assert!(memberships(&f.app, firm).await.is_empty());
    assert!(sync_log(&f.app, firm).await.is_empty());
}

/// A firm with one synced ACTIVE member `lu-1`; returns the member id.
async fn firm_with_member(f: &Fixture, firm: Uuid) -> String {
    link_org(&f.app, firm, ORG).await;
    org_endpoints(
        f,
        json!([logto_member(
            "lu-1",
            "ann@example.com",
            &[("role-admin", "admin")]
        )]),
    )
    .await;
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::POST,
        &firm_path(firm, "sync"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    memberships(&f.app, firm).await[0].id.to_string()
}

#[tokio::test]
async fn replacing_roles_pushes_them_and_a_failure_keeps_the_old_ones() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    let member = firm_with_member(&f, firm).await;
    roles_endpoint(&f.logto).await;
    let roles_path = firm_path(firm, &format!("members/{member}/roles"));
    Mock::given(method("PUT"))
        .and(path(format!("/api/organizations/{ORG}/users/lu-1/roles")))
        .and(body_json(
            json!({"organizationRoleIds": ["role-member", "role-admin"]}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .mount(&f.logto)
        .await;
    let body = json!({"roleIds": ["role-member", "role-admin"]});
    let one = f
        .app
        .as_user(
            Method::GET,
            &firm_path(firm, &format!("members/{member}")),
            &admin_of(firm),
        )
        .send()
        .await
        .unwrap();
    let etag = one.headers()["etag"].to_str().unwrap().to_owned();
    let stale = f
        .app
        .as_user(Method::PUT, &roles_path, &admin_of(firm))
        .header("if-match", "\"stale\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let response = f
        .app
        .as_user(Method::PUT, &roles_path, &admin_of(firm))
        .header("if-match", etag.as_str())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_ne!(response.headers()["etag"].to_str().unwrap(), etag);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        updated["roles"],
        json!([{"id": "role-admin", "name": "admin"}, {"id": "role-member", "name": "member"}])
    );

    Mock::given(method("PUT"))
        .and(path(format!("/api/organizations/{ORG}/users/lu-1/roles")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&f.logto)
        .await;
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::PUT,
        &roles_path,
        Some(json!({"roleIds": []})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(code(&body), "LOGTO_SYNC_FAILED");
    assert_eq!(memberships(&f.app, firm).await[0].roles, updated["roles"]);
    let log = sync_log(&f.app, firm).await;
    let last = log.last().unwrap();
    assert_eq!(
        (last.operation.as_str(), last.status.as_str()),
        ("member.roles", "FAILED")
    );
    let (status, body) = call(
        &f.app,
        &admin_of(firm),
        Method::PUT,
        &roles_path,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "roleIds");
}

#[tokio::test]
async fn removing_a_member_removes_them_from_the_org() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    let member = firm_with_member(&f, firm).await;
    Mock::given(method("DELETE"))
        .and(path(format!("/api/organizations/{ORG}/users/lu-1")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&f.logto)
        .await;
    let one = firm_path(firm, &format!("members/{member}"));
    let (status, _) = call(&f.app, &admin_of(firm), Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&f.app, &admin_of(firm), Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "RESOURCE_NOT_FOUND");
    f.logto.verify().await;
    let log = sync_log(&f.app, firm).await;
    assert_eq!(log.last().unwrap().operation, "member.remove");
}

#[tokio::test]
async fn another_firms_admin_gets_404_and_a_lawyer_403() {
    let f = fixture().await;
    let firm = Uuid::now_v7();
    let member = firm_with_member(&f, firm).await;
    let stranger = admin_of(Uuid::now_v7());
    let lawyer = TestUser::member(FirmId(firm), "LAWYER");
    let routes = [
        (Method::POST, firm_path(firm, "sync"), None),
        (Method::GET, firm_path(firm, "members"), None),
        (
            Method::POST,
            firm_path(firm, "members"),
            Some(json!({"email": "x@example.com"})),
        ),
        (
            Method::GET,
            firm_path(firm, &format!("members/{member}")),
            None,
        ),
        (
            Method::DELETE,
            firm_path(firm, &format!("members/{member}")),
            None,
        ),
        (
            Method::PUT,
            firm_path(firm, &format!("members/{member}/roles")),
            Some(json!({"roleIds": []})),
        ),
    ];
    for (m, p, body) in routes {
        let (status, answer) = call(&f.app, &stranger, m.clone(), &p, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{m} {p}: {answer}");
        let (status, answer) = call(&f.app, &lawyer, m.clone(), &p, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{m} {p}: {answer}");
        assert_eq!(code(&answer), "PERMISSION_DENIED");
    }
    // A member id of another firm is not found under this one.
    let other = Uuid::now_v7();
    link_org(&f.app, other, "org-other").await;
    let (status, _) = call(
        &f.app,
        &admin_of(other),
        Method::GET,
        &firm_path(other, &format!("members/{member}")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(memberships(&f.app, firm).await.len(), 1);
}

#[tokio::test]
async fn without_logto_settings_the_bridge_answers_503() {
    let app = TestApp::spawn(&[lawos_svc_auth::SPEC]).await;
    let firm = Uuid::now_v7();
    let admin = TestUser::system_admin();
    for (m, p) in [
        (Method::GET, "/api/v1/auth/logto/roles".to_owned()),
        (Method::POST, firm_path(firm, "sync")),
    ] {
        let (status, body) = call(&app, &admin, m, &p, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{p}: {body}");
        assert_eq!(body["error"]["details"]["reason"], "LOGTO_NOT_CONFIGURED");
    }
    let (status, _) = call(&app, &admin, Method::GET, "/api/v1/auth/logto/orgs", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn firm_created_with_create_logto_org_creates_and_links_the_org() {
    let f = fixture_with_events().await;
    Mock::given(method("POST"))
        .and(path("/api/organizations"))
        .and(wiremock::matchers::body_partial_json(
            json!({"name": "Bridge & Co"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "org-new", "tenantId": "default", "name": "Bridge & Co", "description": null,
            "customData": {}, "isMfaRequired": false, "createdAt": 1,
        })))
        .expect(1)
        .mount(&f.logto)
        .await;
    let admin = TestUser::system_admin();
    let body = json!({
        "name": "Bridge & Co", "slug": "bridge-co", "contactEmail": "ops@bridge.example",
        "billingPlan": "starter", "createLogtoOrg": true,
    });
    let (status, firm) = call(&f.app, &admin, Method::POST, "/api/v1/tenants", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{firm}");
    let firm_id: Uuid = firm["id"].as_str().unwrap().parse().unwrap();
    let linked = lawos_testkit::broker::eventually(Duration::from_secs(20), || async {
        let (_, page) = call(&f.app, &admin, Method::GET, "/api/v1/auth/logto/orgs", None).await;
        page["pagination"]["total"] == 1
    })
    .await;
    assert!(linked, "the organization was not linked in time");
    let (_, page) = call(&f.app, &admin, Method::GET, "/api/v1/auth/logto/orgs", None).await;
    assert_eq!(page["data"][0]["firmId"], firm_id.to_string());
    assert_eq!(page["data"][0]["logtoOrgId"], "org-new");
    assert_eq!(page["data"][0]["createdInLogto"], true);
    // The tenants service writes the organization back onto the firm, so the
    // firm resolves by it.
    let resolved = lawos_testkit::broker::eventually(Duration::from_secs(20), || async {
        let (status, found) = call(
            &f.app,
            &admin,
            Method::GET,
            "/api/v1/tenants/resolve?logto_org_id=org-new",
            None,
        )
        .await;
        status == StatusCode::OK && found["firmId"] == firm_id.to_string()
    })
    .await;
    assert!(
        resolved,
        "the firm does not resolve by its new organization"
    );
    let (_, shown) = call(
        &f.app,
        &admin,
        Method::GET,
        &format!("/api/v1/tenants/{firm_id}"),
        None,
    )
    .await;
    assert_eq!(shown["logtoOrgId"], "org-new", "{shown}");
    let log = sync_log(&f.app, firm_id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].operation.as_str(), log[0].status.as_str()),
        ("org.create", "SUCCEEDED")
    );
    f.logto.verify().await;

    // A firm created with an existing organization is linked to it, named as Logto names it.
    Mock::given(method("GET"))
        .and(path("/api/organizations/org-existing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "org-existing", "tenantId": "default", "name": "Existing Org",
            "description": "", "customData": {}, "isMfaRequired": false, "createdAt": 1,
        })))
        .mount(&f.logto)
        .await;
    let body = json!({
        "name": "Linked LLP", "slug": "linked-llp", "contactEmail": "ops@linked.example",
        "billingPlan": "starter", "logtoOrgId": "org-existing",
    });
    let (status, firm) = call(&f.app, &admin, Method::POST, "/api/v1/tenants", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{firm}");
    let linked = lawos_testkit::broker::eventually(Duration::from_secs(20), || async {
        let (_, page) = call(&f.app, &admin, Method::GET, "/api/v1/auth/logto/orgs", None).await;
        page["pagination"]["total"] == 2
    })
    .await;
    assert!(linked, "the existing organization was not linked in time");
    let (_, page) = call(&f.app, &admin, Method::GET, "/api/v1/auth/logto/orgs", None).await;
    let existing = &page["data"][1];
    assert_eq!(existing["firmId"], firm["id"]);
    assert_eq!(existing["logtoOrgId"], "org-existing");
    assert_eq!(existing["name"], "Existing Org");
    assert_eq!(existing["createdInLogto"], false);
}
