//! The OpenAPI document describes every route, the webhook as public.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn every_route_is_described() {
    let env = spawn(With::default()).await;
    let doc: serde_json::Value = env
        .app
        .http
        .get(env.app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = [
        ("get", "/api/v1/messages/"),
        ("post", "/api/v1/messages/"),
        ("get", "/api/v1/messages/search"),
        ("get", "/api/v1/messages/{id}"),
        ("patch", "/api/v1/messages/{id}"),
        ("delete", "/api/v1/messages/{id}"),
        ("get", "/api/v1/messages/{id}/events"),
        ("get", "/api/v1/messages/sms-numbers"),
        ("post", "/api/v1/messages/sms-numbers"),
        ("delete", "/api/v1/messages/sms-numbers/{id}"),
        (
            "get",
            "/api/v1/messages/comments/{resourceType}/{resourceId}",
        ),
        (
            "post",
            "/api/v1/messages/comments/{resourceType}/{resourceId}",
        ),
        ("patch", "/api/v1/messages/comments/{commentId}"),
        ("delete", "/api/v1/messages/comments/{commentId}"),
        ("post", "/webhooks/telephony/"),
    ];
    for (m, p) in ops {
        assert!(doc["paths"][p][m].is_object(), "{m} {p} is not described");
    }
    let hook = &doc["paths"]["/webhooks/telephony/"]["post"];
    assert_eq!(hook["security"], json!([]));
    for s in ["200", "401", "503"] {
        assert!(hook["responses"][s].is_object(), "{s}");
    }
    let search = &doc["paths"]["/api/v1/messages/search"]["get"];
    assert!(
        search["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "q")
    );
    assert!(search["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["items"]["properties"]["snippet"].is_object());
}
