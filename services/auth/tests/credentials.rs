//! Lawyer credentials: list/add/remove, and the `credential.expiring` job.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Days, Utc};
use common::*;
use lawos_core::FirmId;
use lawos_svc_auth::expiry_job;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn path(user: Uuid) -> String {
    format!("/api/v1/auth/users/{user}/credentials")
}

fn licence(number: &str, expires: &str) -> Value {
    json!({"type": "BAR_LICENSE", "jurisdiction": "NY", "licenseNumber": number,
           "issuedDate": "2010-01-15", "expiresAt": expires})
}

async fn add(app: &TestApp, who: &TestUser, target: &str, body: &Value) -> reqwest::Response {
    app.as_user(Method::POST, target, who)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, who: &TestUser, user: Uuid) -> Vec<Value> {
    let res = app
        .as_user(Method::GET, &path(user), who)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn firm_admins_manage_their_firms_credentials_only() {
    let app = app().await;
    let (firm_a, firm_b) = (Uuid::now_v7(), Uuid::now_v7());
    let ann = seed_user(
        &app,
        "ann@a.example",
        "ann-password",
        None,
        &[(firm_a, "LAWYER"), (firm_b, "LAWYER")],
    )
    .await;
    let eve = seed_user(
        &app,
        "eve@b.example",
        "eve-password",
        None,
        &[(firm_b, "LAWYER")],
    )
    .await;
    let admin_a = TestUser::member(FirmId(firm_a), "FIRM_ADMIN");
    let admin_b = TestUser::member(FirmId(firm_b), "FIRM_ADMIN");

    let res = add(&app, &admin_a, &path(ann), &licence("NY-1", "2031-01-31")).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["firmId"], firm_a.to_string());
    assert_eq!(created["licenseNumber"], "NY-1");
    assert_eq!(created["issuedDate"], "2010-01-15");
    let res = add(&app, &admin_b, &path(ann), &licence("NY-2", "2032-01-31")).await;
    assert_eq!(res.status(), 201);
    // The same credential twice: 409.
    let res = add(&app, &admin_a, &path(ann), &licence("NY-1", "2031-01-31")).await;
    expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;

    // Each firm's admin sees its firm's; a platform administrator sees both.
    let seen: Vec<Value> = list(&app, &admin_a, ann).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["licenseNumber"], "NY-1");
    assert_eq!(list(&app, &TestUser::system_admin(), ann).await.len(), 2);

    // Another firm's user or credential: 404.
    let res = add(&app, &admin_a, &path(eve), &licence("NY-3", "2031-01-31")).await;
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::GET, &path(eve), &admin_a)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let id = created["id"].as_str().unwrap();
    let res = app
        .as_user(Method::DELETE, &format!("{}/{id}", path(ann)), &admin_b)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    // A lawyer manages nobody's credentials.
    let lawyer = member_of(ann, firm_a, "LAWYER");
    let res = add(&app, &lawyer, &path(ann), &licence("NY-4", "2031-01-31")).await;
    expect_error(res, 403, "PERMISSION_DENIED").await;

    let res = app
        .as_user(Method::DELETE, &format!("{}/{id}", path(ann)), &admin_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(list(&app, &admin_a, ann).await.is_empty());
    let res = app
        .as_user(Method::DELETE, &format!("{}/{id}", path(ann)), &admin_a)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn bad_credentials_are_named_and_platform_admins_name_the_firm() {
    let app = app().await;
    let (firm_a, firm_b) = (Uuid::now_v7(), Uuid::now_v7());
    let ann = seed_user(
        &app,
        "ann@a.example",
        "ann-password",
        None,
        &[(firm_a, "LAWYER"), (firm_b, "LAWYER")],
    )
    .await;
    let admin = TestUser::system_admin();
    let bad = json!({"type": "DIPLOMA", "licenseNumber": "", "issuedDate": "2020-01-01", "expiresAt": "2019-01-01"});
    let res = add(&app, &admin, &path(ann), &bad).await;
    expect_fields(res, &["type", "jurisdiction", "licenseNumber", "expiresAt"]).await;
    // Two firms: the platform administrator names one.
    let res = add(&app, &admin, &path(ann), &licence("NY-1", "2031-01-31")).await;
    expect_fields(res, &["firmId"]).await;
    let res = add(
        &app,
        &admin,
        &format!("{}?firmId={}", path(ann), Uuid::now_v7()),
        &licence("NY-1", "2031-01-31"),
    )
    .await;
    expect_fields(res, &["firmId"]).await;
    let res = add(
        &app,
        &admin,
        &format!("{}?firmId={firm_b}", path(ann)),
        &licence("NY-1", "2031-01-31"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["firmId"], firm_b.to_string());
}

#[tokio::test]
async fn the_expiry_job_announces_each_credential_once_30_days_ahead() {
    let app = app().await;
    let firm = Uuid::now_v7();
    let ann = seed_user(
        &app,
        "ann@a.example",
        "ann-password",
        None,
        &[(firm, "LAWYER")],
    )
    .await;
    let admin = TestUser::member(FirmId(firm), "FIRM_ADMIN");
    let today = Utc::now().date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).unwrap().to_string();
    let past = today.checked_sub_days(Days::new(1)).unwrap().to_string();
    let mut ids = Vec::new();
    for (number, expires) in [
        ("IN-30", day(30)),
        ("IN-10", day(10)),
        ("IN-31", day(31)),
        ("PAST", past),
        ("GONE", day(5)),
    ] {
        let res = add(&app, &admin, &path(ann), &licence(number, &expires)).await;
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let res = app
        .as_user(Method::DELETE, &format!("{}/{}", path(ann), ids[4]), &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let db = app.envs[0].db.clone();
    assert_eq!(expiry_job::run_once(&db, today).await.unwrap(), 2);
    assert_eq!(
        expiry_job::run_once(&db, today).await.unwrap(),
        0,
        "announced once"
    );
    let events = texts(
        &app,
        "select payload->>'data' as v from auth.outbox where event_type = 'credential.expiring' \
         order by payload->'data'->>'daysLeft'",
    )
    .await;
    assert_eq!(events.len(), 2);
    let first: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(first["credentialId"], ids[1]);
    assert_eq!(first["daysLeft"], 10);
    assert_eq!(first["userId"], ann.to_string());
    assert_eq!(first["firmId"], firm.to_string());
    assert_eq!(first["type"], "BAR_LICENSE");
    let second: Value = serde_json::from_str(&events[1]).unwrap();
    assert_eq!(second["credentialId"], ids[0]);
    assert_eq!(second["daysLeft"], 30);
    // The next day, the 31-day one is due.
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    assert_eq!(expiry_job::run_once(&db, tomorrow).await.unwrap(), 1);
}
