//! `GET /api/v1/auth/members[/{userId}]`: the caller's own firm's directory.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

struct Firm {
    id: Uuid,
    ann: Uuid,
    bob: Uuid,
    dan: Uuid,
    eve: Uuid,
}

/// Firm A: ann (LAWYER), bob (PARALEGAL), cat (FIRM_ADMIN), dan (LAWYER, left);
/// firm B: eve.
async fn seed(app: &lawos_testkit::TestApp) -> Firm {
    let id = Uuid::now_v7();
    let other = Uuid::now_v7();
    let ann = seed_user(app, "ann@a.example", "password-1", None, &[(id, "LAWYER")]).await;
    let bob = seed_user(
        app,
        "bob@a.example",
        "password-1",
        None,
        &[(id, "PARALEGAL")],
    )
    .await;
    seed_user(
        app,
        "cat@a.example",
        "password-1",
        None,
        &[(id, "FIRM_ADMIN")],
    )
    .await;
    let dan = seed_user(app, "dan@a.example", "password-1", None, &[(id, "LAWYER")]).await;
    let eve = seed_user(
        app,
        "eve@b.example",
        "password-1",
        None,
        &[(other, "LAWYER")],
    )
    .await;
    sql(
        app,
        &format!("update auth.firm_user_profiles set is_active = false where user_id = '{dan}'"),
    )
    .await;
    Firm {
        id,
        ann,
        bob,
        dan,
        eve,
    }
}

async fn page(app: &lawos_testkit::TestApp, user: &TestUser, query: &str) -> Value {
    let res = app
        .as_user(Method::GET, &format!("/api/v1/auth/members{query}"), user)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn emails(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn members_list_their_own_firm_with_filters_and_cursors() {
    let app = app().await;
    let firm = seed(&app).await;
    let ann = member_of(firm.ann, firm.id, "LAWYER");

    let all = page(&app, &ann, "").await;
    assert_eq!(
        emails(&all),
        ["ann@a.example", "bob@a.example", "cat@a.example"]
    );
    assert_eq!(all["pagination"]["total"], 3);
    let first = &all["data"][0];
    assert_eq!(first["id"], firm.ann.to_string());
    assert_eq!(first["role"], "LAWYER");
    assert_eq!(first["isLawyer"], true);
    assert!(first.get("preferences").is_none(), "{first}");

    assert_eq!(emails(&page(&app, &ann, "?q=BOB").await), ["bob@a.example"]);
    assert_eq!(
        emails(&page(&app, &ann, "?q=user%20cat").await),
        ["cat@a.example"]
    );
    assert_eq!(emails(&page(&app, &ann, "?q=%25").await).len(), 0);
    assert_eq!(
        emails(&page(&app, &ann, "?role=lawyer").await),
        ["ann@a.example"]
    );

    let one = page(&app, &ann, "?limit=2").await;
    assert_eq!(emails(&one).len(), 2);
    assert_eq!(one["pagination"]["hasMore"], true);
    let cursor = one["pagination"]["nextCursor"].as_str().unwrap();
    let two = page(&app, &ann, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(emails(&two), ["cat@a.example"]);
    assert_eq!(two["pagination"]["hasMore"], false);
}

#[tokio::test]
async fn a_member_is_read_in_the_own_firm_only() {
    let app = app().await;
    let firm = seed(&app).await;
    let ann = member_of(firm.ann, firm.id, "LAWYER");
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/auth/members/{}", firm.bob),
            &ann,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bob: Value = res.json().await.unwrap();
    assert_eq!(bob["email"], "bob@a.example");
    assert_eq!(bob["role"], "PARALEGAL");
    // Another firm's user, a member who left, an unknown id: 404.
    for id in [firm.eve, firm.dan, Uuid::now_v7()] {
        let res = app
            .as_user(Method::GET, &format!("/api/v1/auth/members/{id}"), &ann)
            .send()
            .await
            .unwrap();
        expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    }
    // Firm B's member sees only firm B.
    let eve = member_of(firm.eve, Uuid::now_v7(), "LAWYER");
    assert_eq!(emails(&page(&app, &eve, "").await).len(), 0);
}

#[tokio::test]
async fn bad_parameters_are_named_and_portal_users_are_refused() {
    let app = app().await;
    let firm = seed(&app).await;
    let ann = member_of(firm.ann, firm.id, "LAWYER");
    let long = "x".repeat(201);
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/auth/members?role=JUDGE&limit=0&q={long}"),
            &ann,
        )
        .send()
        .await
        .unwrap();
    expect_fields(res, &["role", "limit", "q"]).await;
    let res = app
        .as_user(Method::GET, "/api/v1/auth/members?cursor=forged", &ann)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());

    let client = TestUser::member(FirmId(firm.id), "CLIENT");
    let res = app
        .as_user(Method::GET, "/api/v1/auth/members", &client)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = app
        .as_user(
            Method::GET,
            "/api/v1/auth/members",
            &TestUser::system_admin(),
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = app
        .http
        .get(app.url("/api/v1/auth/members"))
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_MISSING").await;
}

#[tokio::test]
async fn a_service_reads_the_directory_of_the_firm_it_names() {
    let app = app().await;
    let firm = seed(&app).await;
    let token = app.envs[0].service_tokens.token().await.unwrap();
    let get = |path: String, firm_header: Option<Uuid>| {
        let mut req = app.http.get(app.url(&path)).bearer_auth(&token);
        if let Some(f) = firm_header {
            req = req.header("x-firm-id", f.to_string());
        }
        req.send()
    };
    let res = get(format!("/api/v1/auth/members/{}", firm.bob), Some(firm.id))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bob: Value = res.json().await.unwrap();
    assert_eq!(bob["email"], "bob@a.example");
    // Another firm's member is not in the named firm; no firm named: refused.
    let res = get(format!("/api/v1/auth/members/{}", firm.eve), Some(firm.id))
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = get(format!("/api/v1/auth/members/{}", firm.bob), None)
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = get("/api/v1/auth/members".to_owned(), Some(firm.id))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let all: Value = res.json().await.unwrap();
    assert_eq!(
        emails(&all),
        ["ann@a.example", "bob@a.example", "cat@a.example"]
    );
    // A user naming another firm in X-Firm-Id is still held to their own.
    let ann = member_of(firm.ann, firm.id, "LAWYER");
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/auth/members/{}", firm.eve),
            &ann,
        )
        .header("x-firm-id", Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
}
