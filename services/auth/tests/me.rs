//! `GET/PATCH /api/v1/auth/me`: the caller's own profile.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lawos_core::{FirmId, UserId};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};

async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["requestId"].as_str().is_some());
    body
}

fn lawyer(user: uuid::Uuid, firm: uuid::Uuid) -> TestUser {
    TestUser {
        user_id: UserId(user),
        firm_id: Some(FirmId(firm)),
        roles: vec!["LAWYER".into()],
        scopes: vec![],
    }
}

#[tokio::test]
async fn me_requires_a_valid_token() {
    let app = app().await;
    let res = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_MISSING").await;
    let res = app
        .http
        .patch(app.url("/api/v1/auth/me"))
        .json(&json!({"fullName": "X"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_MISSING").await;
    let res = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_INVALID").await;
    // A valid token for someone the platform does not know: 404.
    let stranger = TestUser::member(FirmId::new(), "LAWYER");
    let res = app
        .as_user(Method::GET, "/api/v1/auth/me", &stranger)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn a_member_reads_and_updates_their_own_profile_with_etags() {
    let app = app().await;
    let firm = uuid::Uuid::now_v7();
    let id = seed_user(
        &app,
        "ann@firm.example",
        "ann-password",
        None,
        &[(firm, "LAWYER")],
    )
    .await;
    let ann = lawyer(id, firm);

    let res = app
        .as_user(Method::GET, "/api/v1/auth/me/", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["id"], id.to_string());
    assert_eq!(me["email"], "ann@firm.example");
    assert_eq!(me["firmId"], firm.to_string());
    assert_eq!(me["role"], "LAWYER");
    assert_eq!(me["isLawyer"], true);
    assert_eq!(me["preferences"], json!({}));

    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &ann)
        .header("if-match", &etag)
        .json(&json!({
            "fullName": "  Ann Smith ", "title": "Partner", "phone": "+1 (555) 010-2000",
            "preferences": {"theme": "dark", "locale": "en-US"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let new_etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_etag, etag);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["fullName"], "Ann Smith");
    assert_eq!(me["title"], "Partner");
    assert_eq!(me["phone"], "+1 (555) 010-2000");
    assert_eq!(
        me["preferences"],
        json!({"theme": "dark", "locale": "en-US"})
    );

    // Merge patch: null removes a preference and clears the title.
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &ann)
        .json(&json!({"title": null, "preferences": {"locale": null}}))
        .send()
        .await
        .unwrap();
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["title"], Value::Null);
    assert_eq!(me["preferences"], json!({"theme": "dark"}));

    // The stale ETag is refused and nothing changes.
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &ann)
        .header("if-match", &etag)
        .json(&json!({"fullName": "Stale"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 412, "PRECONDITION_FAILED").await;
    let me: Value = app
        .as_user(Method::GET, "/api/v1/auth/me", &ann)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["fullName"], "Ann Smith");
}

#[tokio::test]
async fn email_and_role_are_not_writable_and_bad_fields_are_named() {
    let app = app().await;
    let firm = uuid::Uuid::now_v7();
    let id = seed_user(
        &app,
        "bob@firm.example",
        "bob-password",
        None,
        &[(firm, "LAWYER")],
    )
    .await;
    let bob = lawyer(id, firm);
    for (field, value) in [
        ("email", json!("boss@firm.example")),
        ("role", json!("FIRM_ADMIN")),
    ] {
        let res = app
            .as_user(Method::PATCH, "/api/v1/auth/me", &bob)
            .json(&json!({ "fullName": "Bob", field: value }))
            .send()
            .await
            .unwrap();
        let body = expect_error(res, 403, "PERMISSION_DENIED").await;
        assert_eq!(body["error"]["details"]["field"], field);
    }
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &bob)
        .json(&json!({"fullName": "", "phone": "call me maybe", "title": 7, "preferences": [1], "nickname": "b"}))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    let mut fields: Vec<String> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["fullName", "nickname", "phone", "preferences", "title"]
    );
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &bob)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(res, 422, "VALIDATION_ERROR").await;
    // Nothing was written.
    let name = texts(
        &app,
        &format!("select full_name as v from auth.users where id = '{id}'"),
    )
    .await;
    assert_eq!(name, ["User bob@firm.example"]);
}

#[tokio::test]
async fn a_platform_administrator_without_a_firm_edits_only_identity_fields() {
    let app = app().await;
    let id = seed_user(
        &app,
        "root@lawos.example",
        "root-password",
        Some("SYSTEM_ADMIN"),
        &[],
    )
    .await;
    let admin = TestUser {
        user_id: UserId(id),
        firm_id: None,
        roles: vec!["SYSTEM_ADMIN".into()],
        scopes: vec![],
    };
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &admin)
        .json(&json!({"fullName": "Root Admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(
        (
            me["fullName"].clone(),
            me["role"].clone(),
            me["firmId"].clone()
        ),
        (json!("Root Admin"), json!("SYSTEM_ADMIN"), Value::Null)
    );
    let res = app
        .as_user(Method::PATCH, "/api/v1/auth/me", &admin)
        .json(&json!({"title": "Ops"}))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "title");
}
