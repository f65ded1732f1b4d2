//! Field policies (the seeded CLIENT.ssn default for PARALEGAL, firm overrides)
//! and custom roles with assignments.

mod common;

use common::*;
use lawos_core::FirmId;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_paralegal_cannot_read_or_write_a_clients_ssn_by_default() {
    let app = app().await;
    let firm = FirmId::new();
    let admin = firm_admin(firm);
    let paralegal = TestUser::member(firm, "PARALEGAL");
    let lawyer = TestUser::member(firm, "LAWYER");
    assign(&app, firm, paralegal.user_id, "PARALEGAL").await;
    assign(&app, firm, lawyer.user_id, "LAWYER").await;
    let path = format!(
        "/api/v1/rbac/firms/{firm}/users/{}/field-policies",
        paralegal.user_id
    );
    let policies = send_ok(app.as_user(Method::GET, &path, &paralegal), 200).await;
    assert_eq!(
        policies["fieldPolicies"],
        json!([{ "resourceType": "CLIENT", "field": "ssn", "read": false, "write": false }])
    );
    let caps = capabilities(&app, firm, &lawyer).await;
    assert_eq!(
        caps["fieldPolicies"],
        json!([]),
        "no policy restricts a lawyer"
    );
    let defaults = send_ok(
        app.as_user(Method::GET, "/api/v1/rbac/field-policies/defaults", &admin),
        200,
    )
    .await;
    assert_eq!(defaults["data"][0]["role"], "PARALEGAL");

    // The firm lets paralegals write (not read) the SSN: its policy overrides the default.
    let created = app
        .as_user(Method::POST, "/api/v1/rbac/field-policies", &admin)
        .json(&json!({ "resourceType": "CLIENT", "field": "ssn", "role": "PARALEGAL", "read": false, "write": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let policy: serde_json::Value = created.json().await.unwrap();
    let policies = send_ok(app.as_user(Method::GET, &path, &paralegal), 200).await;
    assert_eq!(policies["fieldPolicies"][0]["write"], true);
    assert_eq!(policies["fieldPolicies"][0]["read"], false);
    // Duplicate key: 409 naming the field.
    let res = app
        .as_user(Method::POST, "/api/v1/rbac/field-policies", &admin)
        .json(&json!({ "resourceType": "CLIENT", "field": "ssn", "role": "PARALEGAL", "read": true, "write": true }))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;
    // PATCH with a stale If-Match: 412; with the right one: applied.
    let id = policy["id"].as_str().unwrap();
    let res = app
        .as_user(
            Method::PATCH,
            &format!("/api/v1/rbac/field-policies/{id}"),
            &admin,
        )
        .header("if-match", "\"stale\"")
        .json(&json!({ "write": false }))
        .send()
        .await
        .unwrap();
    expect_error(res, 412, "PRECONDITION_FAILED").await;
    send_ok(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/rbac/field-policies/{id}"),
            &admin,
        )
        .header("if-match", etag)
        .json(&json!({ "write": false })),
        200,
    )
    .await;
    // Deleting the firm's policy restores the default.
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/rbac/field-policies/{id}"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let policies = send_ok(app.as_user(Method::GET, &path, &paralegal), 200).await;
    assert_eq!(policies["fieldPolicies"][0]["write"], false);

    // Validation names every field.
    let res = app
        .as_user(Method::POST, "/api/v1/rbac/field-policies", &admin)
        .json(&json!({ "resourceType": "PLANET", "field": "Not A Field", "role": "astronaut" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        error_fields(&body),
        ["resourceType", "field", "role", "read", "write"]
    );

    // Each policy change told the paralegal's caches.
    let reasons: Vec<String> = permission_changes(&app)
        .await
        .iter()
        .filter(|e| {
            e["data"]["reason"]
                .as_str()
                .unwrap()
                .starts_with("field_policy.")
        })
        .map(|e| {
            assert_eq!(ids(&e["data"]["userIds"]), [paralegal.user_id.to_string()]);
            e["data"]["reason"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "field_policy.created",
            "field_policy.updated",
            "field_policy.deleted"
        ]
    );
}

#[tokio::test]
async fn custom_roles_carry_their_scopes_to_their_holders() {
    let app = app().await;
    let firm = FirmId::new();
    let admin = firm_admin(firm);
    let clerk = TestUser::member(firm, "STAFF");
    let role = send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/roles", &admin).json(&json!({
            "code": "BILLING_CLERK", "name": "Billing clerk",
            "scopes": [{ "scope": "cases:read", "reach": "ASSIGNED" }, { "scope": "invoices:read", "reach": "ALL" }]
        })),
        201,
    )
    .await;
    assert_eq!(role["builtIn"], false);
    let ends = chrono::Utc::now() + chrono::Duration::days(7);
    let assignment = send_ok(
        app.as_user(Method::POST, "/api/v1/rbac/assignments", &admin)
            .json(&json!({ "userId": clerk.user_id, "role": "BILLING_CLERK", "endsAt": ends.to_rfc3339() })),
        201,
    )
    .await;
    let caps = capabilities(&app, firm, &clerk).await;
    assert_eq!(caps["roles"], json!(["BILLING_CLERK"]));
    assert_eq!(
        caps["scopes"],
        json!([{ "scope": "invoices:read", "reach": "ALL" }, { "scope": "matters:read", "reach": "ASSIGNED" }])
    );
    assert!(
        caps["validUntil"].is_string(),
        "bounded by the assignment's end"
    );

    // Changing the role's scopes changes the holder's capabilities.
    let role_id = role["id"].as_str().unwrap();
    send_ok(
        app.as_user(
            Method::PATCH,
            &format!("/api/v1/rbac/roles/{role_id}"),
            &admin,
        )
        .json(&json!({ "scopes": [{ "scope": "time-entries:read" }] })),
        200,
    )
    .await;
    let caps = capabilities(&app, firm, &clerk).await;
    assert_eq!(
        caps["scopes"],
        json!([{ "scope": "time-entries:read", "reach": "ALL" }])
    );

    // A built-in code cannot be taken; a duplicate code is 409.
    let res = app
        .as_user(Method::POST, "/api/v1/rbac/roles", &admin)
        .json(&json!({ "code": "LAWYER", "name": "x", "scopes": [] }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&body), ["code"]);
    let res = app
        .as_user(Method::POST, "/api/v1/rbac/roles", &admin)
        .json(&json!({ "code": "BILLING_CLERK", "name": "again", "scopes": [] }))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "RESOURCE_ALREADY_EXISTS").await;

    // Ending the assignment, then deleting the role: no scopes remain.
    let aid = assignment["id"].as_str().unwrap();
    let ended = send_ok(
        app.as_user(
            Method::DELETE,
            &format!("/api/v1/rbac/assignments/{aid}"),
            &admin,
        ),
        200,
    )
    .await;
    assert!(ended["revokedAt"].is_string());
    let caps = capabilities(&app, firm, &clerk).await;
    assert_eq!(caps["scopes"], json!([]));
    let res = app
        .as_user(
            Method::DELETE,
            &format!("/api/v1/rbac/roles/{role_id}"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .as_user(
            Method::GET,
            &format!("/api/v1/rbac/roles/{role_id}"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    let reasons: Vec<String> = permission_changes(&app)
        .await
        .iter()
        .map(|e| e["data"]["reason"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        reasons,
        [
            "role_assignment.created",
            "role.updated",
            "role_assignment.revoked",
            "role.deleted"
        ]
    );
}
