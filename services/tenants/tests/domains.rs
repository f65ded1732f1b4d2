//! Firm domains and tenant resolution.

mod common;

use common::{app, create_firm, expect_error, firm_id};
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn verified_domains_resolve_hosts_and_unverified_ones_do_not() {
    let app = app().await;
    let firm = create_firm(&app, "resolvable").await;
    let id = firm_id(&firm);
    let admin = TestUser::system_admin();
    let path = format!("/api/v1/tenants/{id}/domains");
    let res = app
        .as_user(Method::POST, &path, &admin)
        .json(&json!({ "domain": "Smithlaw.COM", "verified": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let domain: Value = res.json().await.unwrap();
    assert_eq!(domain["domain"], "smithlaw.com");
    assert_eq!(domain["verified"], true);

    let firm_admin = TestUser::member(id, "FIRM_ADMIN");
    let res = app
        .as_user(Method::POST, &path, &firm_admin)
        .json(&json!({ "domain": "portal.smithlaw.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // A firm admin cannot self-verify (that would let any firm claim any host).
    let res = app
        .as_user(Method::POST, &path, &firm_admin)
        .json(&json!({ "domain": "x.smithlaw.com", "verified": true }))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "PERMISSION_DENIED").await;

    let resolved: Value = app
        .http
        .get(app.url("/api/v1/tenants/resolve?host=smithlaw.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resolved["firmId"], firm["id"]);
    let res = app
        .http
        .get(app.url("/api/v1/tenants/resolve?host=portal.smithlaw.com"))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let by_slug: Value = app
        .http
        .get(app.url("/api/v1/tenants/resolve?slug=resolvable"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_slug["firmId"], firm["id"]);
    let res = app
        .http
        .get(app.url("/api/v1/tenants/resolve"))
        .send()
        .await
        .unwrap();
    expect_error(res, 422, "VALIDATION_ERROR").await;

    // The same domain cannot belong to two firms.
    let other = firm_id(&create_firm(&app, "other").await);
    let res = app
        .as_user(
            Method::POST,
            &format!("/api/v1/tenants/{other}/domains"),
            &admin,
        )
        .json(&json!({ "domain": "smithlaw.com" }))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;

    let list: Value = app
        .as_user(Method::GET, &path, &firm_admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total"], 2);
}

#[tokio::test]
async fn another_firm_sees_nothing_of_a_firms_domains() {
    let app = app().await;
    let a = firm_id(&create_firm(&app, "dom-a").await);
    let b = firm_id(&create_firm(&app, "dom-b").await);
    let admin = TestUser::system_admin();
    let created: Value = app
        .as_user(
            Method::POST,
            &format!("/api/v1/tenants/{a}/domains"),
            &admin,
        )
        .json(&json!({ "domain": "a-law.com" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let domain_id = created["id"].as_str().unwrap();
    let admin_b = TestUser::member(b, "FIRM_ADMIN");
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/tenants/{a}/domains"),
            &admin_b,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(
            Method::POST,
            &format!("/api/v1/tenants/{a}/domains"),
            &admin_b,
        )
        .json(&json!({ "domain": "evil.com" }))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/tenants/{a}/domains/{domain_id}"),
            &admin_b,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    // B's admin naming B's firm but A's domain id: RLS hides it.
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/tenants/{b}/domains/{domain_id}"),
            &admin_b,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    // A's admin removes it.
    let admin_a = TestUser::member(a, "FIRM_ADMIN");
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/tenants/{a}/domains/{domain_id}"),
            &admin_a,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}
