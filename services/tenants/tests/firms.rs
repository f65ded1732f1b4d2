//! Firms: creation, validation, listing, reading and updating, per role and firm.

mod common;

use common::{app, create_firm, expect_error, firm_body, firm_id};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn system_admin_creates_a_firm_with_the_backstage_body() {
    let app = app().await;
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &TestUser::system_admin())
        .json(&firm_body("smith-associates"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("etag").is_some());
    let firm: Value = res.json().await.unwrap();
    assert_eq!(firm["slug"], "smith-associates");
    assert_eq!(firm["billingPlan"], "enterprise");
    assert_eq!(
        firm["features"],
        json!({ "timeTracking": true, "documentManagement": true, "clientPortal": false, "advancedReporting": false })
    );
    assert_eq!(firm["contactEmail"], "admin@smith-associates.example");
    let id: uuid::Uuid = firm["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7);

    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/tenants/{id}"),
            &TestUser::system_admin(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let got: Value = res.json().await.unwrap();
    assert_eq!(got["name"], "Firm smith-associates");
}

#[tokio::test]
async fn duplicate_slug_is_409_and_bad_fields_are_422_naming_them() {
    let app = app().await;
    create_firm(&app, "dupe").await;
    let admin = TestUser::system_admin();
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .json(&firm_body("dupe"))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;
    assert_eq!(body["error"]["details"]["field"], "slug");

    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &admin)
        .json(&json!({ "name": "", "slug": "Not A Slug", "contactEmail": "nope", "billingPlan": "gold" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "slug", "contactEmail", "billingPlan"]);

    // Nothing half-written: the list still holds only the first firm.
    let list: Value = app
        .as_user(Method::GET, "/api/v1/tenants/", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total"], 1);
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let app = app().await;
    let res = app
        .http
        .get(app.url("/api/v1/tenants/"))
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_MISSING").await;
    let res = app
        .http
        .get(app.url("/api/v1/tenants/"))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_INVALID").await;
    let other_issuer = lawos_testkit::TestIssuer::new();
    let res = app
        .http
        .get(app.url("/api/v1/tenants/"))
        .bearer_auth(other_issuer.token(&TestUser::system_admin()))
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "AUTH_TOKEN_INVALID").await;
}

#[tokio::test]
async fn roles_are_refused_what_they_may_not_do() {
    let app = app().await;
    let firm = create_firm(&app, "acme").await;
    let id = firm_id(&firm);
    let lawyer = TestUser::member(id, "LAWYER");
    // A lawyer cannot create firms.
    let res = app
        .as_user(Method::POST, "/api/v1/tenants/", &lawyer)
        .json(&firm_body("other"))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
    // A lawyer reads their own firm but may not change it.
    let res = app
        .as_user(Method::GET, &format!("/api/v1/tenants/{id}"), &lawyer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .as_user(Method::PATCH, &format!("/api/v1/tenants/{id}"), &lawyer)
        .json(&json!({ "name": "Hijacked" }))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;
}

#[tokio::test]
async fn a_firm_admin_sees_and_changes_only_their_own_firm() {
    let app = app().await;
    let a = firm_id(&create_firm(&app, "firm-a").await);
    let b = firm_id(&create_firm(&app, "firm-b").await);
    let admin_b = TestUser::member(b, "FIRM_ADMIN");

    let res = app
        .as_user(Method::GET, &format!("/api/v1/tenants/{a}"), &admin_b)
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(Method::PATCH, &format!("/api/v1/tenants/{a}"), &admin_b)
        .json(&json!({ "settings": { "branding": "x" } }))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let list: Value = app
        .as_user(Method::GET, "/api/v1/tenants/", &admin_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b.to_string()]);
    assert_eq!(list["pagination"]["total"], 1);

    // Their own firm's settings: yes. Its plan or features: only a platform admin.
    let res = app
        .as_user(Method::PATCH, &format!("/api/v1/tenants/{b}"), &admin_b)
        .json(&json!({ "settings": { "invoicePrefix": "B-" }, "name": "Firm B LLP" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let firm: Value = res.json().await.unwrap();
    assert_eq!(firm["settings"]["invoicePrefix"], "B-");
    assert_eq!(firm["name"], "Firm B LLP");
    let res = app
        .as_user(Method::PATCH, &format!("/api/v1/tenants/{b}"), &admin_b)
        .json(&json!({ "billingPlan": "starter" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 403, "PERMISSION_DENIED").await;
    assert_eq!(body["error"]["details"]["field"], "billingPlan");
}

#[tokio::test]
async fn features_and_settings_update_with_if_match() {
    let app = app().await;
    let id = firm_id(&create_firm(&app, "patchy").await);
    let admin = TestUser::system_admin();
    let path = format!("/api/v1/tenants/{id}");
    let res = app
        .as_user(Method::GET, &path, &admin)
        .send()
        .await
        .unwrap();
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    let res = app
        .as_user(Method::PATCH, &path, &admin)
        .header("if-match", &etag)
        .json(&json!({ "features": { "clientPortal": true }, "settings": { "currency": "USD" } }))
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
    assert_ne!(etag, new_etag);
    let firm: Value = res.json().await.unwrap();
    assert_eq!(firm["features"]["clientPortal"], true);
    assert_eq!(
        firm["features"]["timeTracking"], true,
        "unnamed features keep their value"
    );

    // The stale ETag is refused and nothing changes.
    let res = app
        .as_user(Method::PATCH, &path, &admin)
        .header("if-match", &etag)
        .json(&json!({ "name": "Lost update" }))
        .send()
        .await
        .unwrap();
    expect_error(res, 412, "PRECONDITION_FAILED").await;
    let got: Value = app
        .as_user(Method::GET, &path, &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "Firm patchy");
    assert_eq!(
        got["settings"]["currency"], "USD",
        "the cached firm was invalidated by the write"
    );

    let res = app
        .as_user(Method::PATCH, &path, &admin)
        .json(&json!({ "features": { "teleport": true } }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        body["error"]["details"]["fields"][0]["field"],
        "features.teleport"
    );
}

#[tokio::test]
async fn listing_pages_through_cursors_and_refuses_forged_ones() {
    let app = app().await;
    for i in 0..5 {
        create_firm(&app, &format!("page-{i}")).await;
    }
    let admin = TestUser::system_admin();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tenants/?limit=2&cursor={c}"),
            None => "/api/v1/tenants/?limit=2".to_owned(),
        };
        let page: Value = app
            .as_user(Method::GET, &path, &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["pagination"]["total"], 5);
        for f in page["data"].as_array().unwrap() {
            seen.push(f["slug"].as_str().unwrap().to_owned());
        }
        if page["pagination"]["hasMore"] == false {
            assert!(page["pagination"]["nextCursor"].is_null());
            break;
        }
        cursor = page["pagination"]["nextCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["page-0", "page-1", "page-2", "page-3", "page-4"]);

    let res = app
        .as_user(
            Method::GET,
            "/api/v1/tenants/?cursor=eyJpZCI6MX0.AAAA",
            &admin,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "INVALID_FIELD_FORMAT").await;
    let res = app
        .as_user(Method::GET, "/api/v1/tenants/?limit=500", &admin)
        .send()
        .await
        .unwrap();
    expect_error(res, 422, "VALIDATION_ERROR").await;
}

#[tokio::test]
async fn changes_are_written_to_the_outbox_in_the_same_transaction() {
    use diesel::sql_types::Text;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        event_type: String,
    }
    let app = app().await;
    let id = firm_id(&create_firm(&app, "outboxed").await);
    app.as_user(
        Method::PATCH,
        &format!("/api/v1/tenants/{id}"),
        &TestUser::system_admin(),
    )
    .json(&json!({ "name": "Renamed" }))
    .send()
    .await
    .unwrap();
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    let rows: Vec<Row> = diesel::sql_query("SELECT event_type FROM tenants.outbox ORDER BY seq")
        .load(&mut conn)
        .await
        .unwrap();
    let types: Vec<&str> = rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(types, ["firm.created", "firm.updated"]);
}

#[tokio::test]
async fn firm_settings_are_cached_and_written_through() {
    let app = app().await;
    let id = firm_id(&create_firm(&app, "cached").await);
    let admin = TestUser::system_admin();
    let cache = app.envs[0].cache.clone().expect("redis");
    let key = format!("firm:{id}:settings");
    assert!(cache.get_json::<Value>(&key).await.unwrap().is_none());
    app.as_user(Method::GET, &format!("/api/v1/tenants/{id}"), &admin)
        .send()
        .await
        .unwrap();
    let cached: Value = cache
        .get_json(&key)
        .await
        .unwrap()
        .expect("filled by the read");
    assert_eq!(cached["name"], "Firm cached");
    app.as_user(Method::PATCH, &format!("/api/v1/tenants/{id}"), &admin)
        .json(&json!({ "settings": { "timezone": "America/New_York" } }))
        .send()
        .await
        .unwrap();
    let cached: Value = cache
        .get_json(&key)
        .await
        .unwrap()
        .expect("written through");
    assert_eq!(cached["settings"]["timezone"], "America/New_York");
    // A fill never overwrites the newer value.
    assert!(
        !cache
            .fill_json(
                &key,
                &json!({ "stale": true }),
                std::time::Duration::from_secs(60)
            )
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_relay_publishes_the_outbox() {
    use diesel_async::{AsyncConnection, AsyncPgConnection};
    let app = lawos_testkit::TestApp::spawn_with_events(&[lawos_svc_tenants::SPEC]).await;
    create_firm(&app, "published").await;
    let url = app.db.admin_url();
    let published = lawos_testkit::broker::eventually(std::time::Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
            lawos_events::unpublished_count(&mut conn, "tenants")
                .await
                .unwrap()
                == 0
        }
    })
    .await;
    assert!(published, "the outbox was not drained by the relay");
}
