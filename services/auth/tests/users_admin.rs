//! The Admin API's users: search, get, patch, deactivate, erase; and the
//! caller's own export.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

struct World {
    firm_a: Uuid,
    firm_b: Uuid,
    /// A lawyer in firm A and firm B.
    ann: Uuid,
    /// Firm A's administrator.
    cat: Uuid,
    /// Only in firm B.
    eve: Uuid,
}

async fn world(app: &TestApp) -> World {
    let (firm_a, firm_b) = (Uuid::now_v7(), Uuid::now_v7());
    let ann = seed_user(
        app,
        "ann@a.example",
        "ann-password",
        None,
        &[(firm_a, "LAWYER"), (firm_b, "STAFF")],
    )
    .await;
    let cat = seed_user(
        app,
        "cat@a.example",
        "cat-password",
        None,
        &[(firm_a, "FIRM_ADMIN")],
    )
    .await;
    let eve = seed_user(
        app,
        "eve@b.example",
        "eve-password",
        None,
        &[(firm_b, "LAWYER")],
    )
    .await;
    World {
        firm_a,
        firm_b,
        ann,
        cat,
        eve,
    }
}

fn user_path(id: Uuid) -> String {
    format!("/api/v1/auth/users/{id}")
}

async fn get_user(app: &TestApp, who: &TestUser, id: Uuid) -> reqwest::Response {
    app.as_user(Method::GET, &user_path(id), who)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn system_admins_search_users() {
    let app = app().await;
    let w = world(&app).await;
    let admin = TestUser::system_admin();
    let res = app
        .as_user(Method::GET, "/api/v1/auth/users/search?q=A.EXAMPLE", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    let ids: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [w.ann.to_string(), w.cat.to_string()]);
    // By identity-provider subject.
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/auth/users/search?q={}", w.eve),
            &admin,
        )
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["data"][0]["email"], "eve@b.example");

    let res = app
        .as_user(Method::GET, "/api/v1/auth/users/search?limit=500", &admin)
        .send()
        .await
        .unwrap();
    expect_fields(res, &["q", "limit"]).await;
    let firm_admin = member_of(w.cat, w.firm_a, "FIRM_ADMIN");
    let res = app
        .as_user(Method::GET, "/api/v1/auth/users/search?q=ann", &firm_admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
}

#[tokio::test]
async fn a_firm_admin_sees_only_their_firms_users_and_profiles() {
    let app = app().await;
    let w = world(&app).await;
    let res = get_user(&app, &TestUser::system_admin(), w.ann).await;
    assert_eq!(res.status(), 200);
    let ann: Value = res.json().await.unwrap();
    assert_eq!(ann["email"], "ann@a.example");
    assert_eq!(ann["profiles"].as_array().unwrap().len(), 2);

    let cat = member_of(w.cat, w.firm_a, "FIRM_ADMIN");
    let res = get_user(&app, &cat, w.ann).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("etag").is_some());
    let ann: Value = res.json().await.unwrap();
    let profiles = ann["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["firmId"], w.firm_a.to_string());
    assert_eq!(profiles[0]["role"], "LAWYER");

    // Another firm's user: 404, for reading, changing and deleting alike.
    expect_error(get_user(&app, &cat, w.eve).await, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::PATCH, &user_path(w.eve), &cat)
        .json(&json!({"title": "Boss"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::DELETE, &user_path(w.eve), &cat)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    // Firm B's administrator does not see firm A's administrator.
    let b_admin = TestUser::member(lawos_core::FirmId(w.firm_b), "FIRM_ADMIN");
    expect_error(
        get_user(&app, &b_admin, w.cat).await,
        404,
        "RESOURCE_NOT_FOUND",
    )
    .await;
    // A lawyer administers nobody.
    let lawyer = member_of(w.ann, w.firm_a, "LAWYER");
    expect_error(
        get_user(&app, &lawyer, w.cat).await,
        403,
        "PERMISSION_DENIED",
    )
    .await;
}

#[tokio::test]
async fn admins_patch_users_with_etags_and_named_errors() {
    let app = app().await;
    let w = world(&app).await;
    let cat = member_of(w.cat, w.firm_a, "FIRM_ADMIN");
    let res = get_user(&app, &cat, w.ann).await;
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &cat)
        .header("if-match", &etag)
        .json(&json!({"fullName": "Ann Smith", "title": "Partner", "phone": "+1 555 0100", "isLawyer": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ann: Value = res.json().await.unwrap();
    assert_eq!(ann["fullName"], "Ann Smith");
    assert_eq!(ann["profiles"][0]["title"], "Partner");
    assert_eq!(ann["profiles"][0]["isLawyer"], false);
    // Firm B's profile is untouched.
    let titles = texts(
        &app,
        &format!("select coalesce(title, '-') as v from auth.firm_user_profiles where user_id = '{}' order by firm_id", w.ann),
    )
    .await;
    assert_eq!(titles, ["Partner", "-"]);

    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &cat)
        .header("if-match", &etag)
        .json(&json!({"title": "Stale"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 412, "PRECONDITION_FAILED").await;
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &cat)
        .json(&json!({"role": "FIRM_ADMIN"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &cat)
        .json(&json!({"email": "ann@new.example"}))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 403, "PERMISSION_DENIED").await;
    assert_eq!(body["error"]["details"]["field"], "email");
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &cat)
        .json(&json!({"fullName": "", "email": "nope", "phone": "call me", "isLawyer": 1, "nick": "A"}))
        .send()
        .await
        .unwrap();
    expect_fields(res, &["fullName", "email", "phone", "isLawyer", "nick"]).await;

    let admin = TestUser::system_admin();
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &admin)
        .json(&json!({"title": "Counsel"}))
        .send()
        .await
        .unwrap();
    expect_fields(res, &["firmId"]).await;
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &admin)
        .json(&json!({"firmId": w.firm_b, "title": "Counsel", "email": "Ann@New.Example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ann: Value = res.json().await.unwrap();
    assert_eq!(ann["email"], "ann@new.example");
    let res = app
        .as_user(Method::PATCH, &user_path(w.ann), &admin)
        .json(&json!({"email": "eve@b.example"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;
    // The new e-mail signs in.
    login_firm(&app, "ann@new.example", "ann-password", w.firm_a).await;
}

#[tokio::test]
async fn deactivation_revokes_sessions_so_refresh_fails() {
    let app = app().await;
    let w = world(&app).await;
    let session = login_ok(&app, "eve@b.example", "eve-password").await;
    let refresh_token = session["refresh_token"].as_str().unwrap();

    let lawyer = member_of(w.eve, w.firm_b, "LAWYER");
    let res = app
        .as_user(Method::DELETE, &user_path(w.ann), &lawyer)
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    let res = app
        .as_user(Method::DELETE, &user_path(w.eve), &TestUser::system_admin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    expect_oauth_error(refresh(&app, refresh_token).await, 400, "invalid_grant").await;
    expect_oauth_error(
        login(&app, "eve@b.example", "eve-password").await,
        400,
        "invalid_grant",
    )
    .await;
    let revoked = count(
        &app,
        &format!(
            "select count(*) from auth.sessions where user_id = '{}' and revoked_at is not null",
            w.eve
        ),
    )
    .await;
    assert_eq!(revoked, 1);

    // A firm admin deactivates the membership of their firm only.
    let cat = member_of(w.cat, w.firm_a, "FIRM_ADMIN");
    let res = app
        .as_user(Method::DELETE, &user_path(w.ann), &cat)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let active = texts(
        &app,
        &format!("select is_active::text as v from auth.firm_user_profiles where user_id = '{}' order by firm_id", w.ann),
    )
    .await;
    assert_eq!(active, ["false", "true"]);
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/auth/members/{}", w.ann),
            &cat,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Still signs in, to firm B.
    let again = login_ok(&app, "ann@a.example", "ann-password").await;
    let claims = claims(&app, again["access_token"].as_str().unwrap()).await;
    assert_eq!(claims.firm_id, Some(lawos_core::FirmId(w.firm_b)));
}

#[tokio::test]
async fn erasure_anonymises_personal_data_and_keeps_ids() {
    let app = app().await;
    let w = world(&app).await;
    sql(
        &app,
        &format!("update auth.firm_user_profiles set phone = '+1 555', title = 'Partner' where user_id = '{}'", w.ann),
    )
    .await;
    let session = login_firm(&app, "ann@a.example", "ann-password", w.firm_a).await;
    let cat = member_of(w.cat, w.firm_a, "FIRM_ADMIN");
    let res = app
        .as_user(
            Method::POST,
            &format!("{}/credentials", user_path(w.ann)),
            &cat,
        )
        .json(&json!({"type": "BAR_LICENSE", "jurisdiction": "CA", "licenseNumber": "CA-777"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .as_user(
            Method::DELETE,
            &format!("{}?erase=true", user_path(w.ann)),
            &cat,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    let admin = TestUser::system_admin();
    let res = app
        .as_user(
            Method::DELETE,
            &format!("{}?erase=true", user_path(w.ann)),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let row = texts(
        &app,
        &format!(
            "select concat_ws('|', email, full_name, is_active, deleted_at is not null) as v from auth.users where id = '{}'",
            w.ann
        ),
    )
    .await;
    assert_eq!(row, [format!("erased-{}@invalid|Erased user|f|t", w.ann)]);
    let profiles = texts(
        &app,
        &format!(
            "select concat_ws('|', coalesce(title, '-'), coalesce(phone, '-'), deleted_at is not null) as v \
             from auth.firm_user_profiles where user_id = '{}'",
            w.ann
        ),
    )
    .await;
    assert_eq!(profiles, ["-|-|t", "-|-|t"]);
    let passwords = count(
        &app,
        &format!(
            "select count(*) from auth.local_credentials where user_id = '{}'",
            w.ann
        ),
    )
    .await;
    assert_eq!(passwords, 0);
    let licences = texts(
        &app,
        &format!(
            "select concat_ws('|', number, deleted_at is not null) as v from auth.lawyer_credentials where user_id = '{}'",
            w.ann
        ),
    )
    .await;
    assert_eq!(licences, ["ERASED|t"]);
    expect_oauth_error(
        refresh(&app, session["refresh_token"].as_str().unwrap()).await,
        400,
        "invalid_grant",
    )
    .await;
    // The id stays; the erased user is no one's member any more.
    let res = get_user(&app, &admin, w.ann).await;
    let erased: Value = res.json().await.unwrap();
    assert_eq!(erased["fullName"], "Erased user");
    assert_eq!(erased["profiles"], json!([]));
    expect_error(get_user(&app, &cat, w.ann).await, 404, "RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn the_export_holds_everything_about_the_caller_without_secrets() {
    let app = app().await;
    let w = world(&app).await;
    login_firm(&app, "ann@a.example", "ann-password", w.firm_a).await;
    let b_admin = TestUser::member(lawos_core::FirmId(w.firm_b), "FIRM_ADMIN");
    let res = app
        .as_user(
            Method::POST,
            &format!("{}/credentials", user_path(w.ann)),
            &b_admin,
        )
        .json(&json!({"type": "BAR_LICENSE", "jurisdiction": "NY", "licenseNumber": "NY-9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let ann = member_of(w.ann, w.firm_a, "LAWYER");
    let res = app
        .as_user(Method::GET, "/api/v1/auth/me/export", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for secret in ["$argon2id$", "tokenHash", "token_hash", "passwordHash"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["user"]["id"], w.ann.to_string());
    assert_eq!(export["user"]["email"], "ann@a.example");
    // Both firms' profiles, though the token names firm A.
    assert_eq!(export["profiles"].as_array().unwrap().len(), 2);
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert!(export["credentials"]["localPassword"]["createdAt"].is_string());
    // Firm B's licence too, though the token names firm A.
    assert_eq!(export["credentials"]["lawyer"][0]["licenseNumber"], "NY-9");

    let stranger = TestUser::member(lawos_core::FirmId(w.firm_a), "LAWYER");
    let res = app
        .as_user(Method::GET, "/api/v1/auth/me/export", &stranger)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
}
