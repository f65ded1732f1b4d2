//! Which services may call rbac: every service reads capabilities (its
//! authorization asks), only the auth service administers assignments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use lawos_auth::{ServiceTokenSource, SignedServiceTokens};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use serde_json::json;

async fn service_token(app: &TestApp, service: &str) -> String {
    let local = app.issuer.local();
    SignedServiceTokens::new(local.signer, &local.issuer, &local.audience, service, &[])
        .token()
        .await
        .unwrap()
}

#[tokio::test]
async fn only_the_auth_service_assigns_roles_and_every_service_reads_capabilities() {
    let app = app().await;
    let firm = FirmId::new();
    let user = TestUser::member(firm, "LAWYER");
    let assign = |token: String| {
        app.http
            .post(app.url("/api/v1/rbac/assignments"))
            .bearer_auth(token)
            .header("x-firm-id", firm.to_string())
            .json(&json!({ "userId": user.user_id, "role": "LAWYER" }))
    };

    let matters = service_token(&app, "matters").await;
    let refused = assign(matters.clone()).send().await.unwrap();
    expect_error(refused, 403, "PERMISSION_DENIED").await;

    let auth = service_token(&app, "auth").await;
    send_ok(assign(auth), 201).await;

    let caps = send_ok(
        app.http
            .get(app.url(&format!(
                "/api/v1/rbac/firms/{firm}/users/{}/capabilities",
                user.user_id
            )))
            .bearer_auth(matters)
            .header("x-firm-id", firm.to_string()),
        200,
    )
    .await;
    assert_eq!(caps["roles"], json!(["LAWYER"]));
}
