//! A channel's thread: channels checks access, then the request goes to the
//! messages service with the caller's own Authorization (here a wiremock
//! stand-in of messages that checks what it receives).

use lawos_core::FirmId;
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn the_thread_is_read_and_written_at_messages_as_the_caller() {
    let messages = MockServer::start().await;
    let uri = messages.uri();
    let app = TestApp::spawn_with(&SPECS, |c| c.messages_url = uri).await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer, "Thread").await;
    let channel = id_of(&matter_channel(&app, &lawyer, m, "Talk").await);
    let thread = format!("/api/v1/channels/{channel}/messages");
    let token = app.token(&lawyer);
    let bearer = format!("Bearer {token}");
    let as_lawyer = |m: Method, p: &str| app.http.request(m, app.url(p)).bearer_auth(&token);

    let page = json!({
        "data": [{ "id": uuid::Uuid::now_v7(), "channelId": channel, "body": "Hello" }],
        "pagination": { "nextCursor": "c2", "hasMore": true, "total": null }
    });
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/"))
        .and(query_param("channel_id", channel.to_string()))
        .and(query_param("cursor", "c1"))
        .and(query_param("limit", "5"))
        .and(header("authorization", bearer.as_str()))
        .and(header("x-request-id", "req-thread-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page))
        .expect(1)
        .mount(&messages)
        .await;
    let got = send_ok(
        as_lawyer(Method::GET, &format!("{thread}?cursor=c1&limit=5"))
            .header("x-request-id", "req-thread-1"),
        200,
    )
    .await;
    assert_eq!(got, page, "the page comes back as messages answered it");

    let sent = json!({ "id": uuid::Uuid::now_v7(), "channelId": channel, "body": "On my way" });
    let doc = uuid::Uuid::now_v7();
    Mock::given(method("POST"))
        .and(path("/api/v1/messages/"))
        .and(header("authorization", bearer.as_str()))
        .and(body_json(
            json!({ "channelId": channel, "body": "On my way", "attachments": [doc] }),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(&sent))
        .expect(1)
        .mount(&messages)
        .await;
    let created = send_ok(
        as_lawyer(Method::POST, &thread)
            .json(&json!({ "body": "On my way", "attachments": [doc] })),
        201,
    )
    .await;
    assert_eq!(created, sent);

    // Refused here, never forwarded: no body (422), another firm (404), archived (409).
    let (got, body) = send(app.as_user(Method::POST, &thread, &lawyer).json(&json!({}))).await;
    assert_eq!((got, fields(&body)), (422, vec!["body".to_owned()]));
    let other = user(&app, FirmId::new(), "LAWYER").await;
    assert_eq!(status(&app, Method::GET, &thread, &other).await, 404);
    let (got, _) = send(
        app.as_user(Method::POST, &thread, &other)
            .json(&json!({ "body": "hi" })),
    )
    .await;
    assert_eq!(got, 404);
    let room = id_of(&internal_channel(&app, &lawyer, "Shelved").await);
    send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/channels/{room}/archive"),
            &lawyer,
        ),
        200,
    )
    .await;
    let (got, body) = send(
        app.as_user(
            Method::POST,
            &format!("/api/v1/channels/{room}/messages"),
            &lawyer,
        )
        .json(&json!({ "body": "hi" })),
    )
    .await;
    assert_eq!((got, code(&body)), (409, "RESOURCE_CONFLICT"));

    // The caller's own mistakes at messages come back as they are; its failures are 503.
    let rules = json!({ "error": { "code": "VALIDATION_ERROR", "message": "Invalid fields: body",
        "details": { "fields": [{ "field": "body", "code": "INVALID_FIELD_FORMAT", "message": "too long" }] },
        "timestamp": "2026-01-01T00:00:00.000Z", "requestId": "r" } });
    Mock::given(method("POST"))
        .and(path("/api/v1/messages/"))
        .and(body_json(
            json!({ "channelId": channel, "body": "too long", "attachments": [] }),
        ))
        .respond_with(ResponseTemplate::new(422).set_body_json(&rules))
        .mount(&messages)
        .await;
    let (got, body) = send(
        app.as_user(Method::POST, &thread, &lawyer)
            .json(&json!({ "body": "too long" })),
    )
    .await;
    assert_eq!((got, &body), (422, &rules));
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&messages)
        .await;
    let (got, body) = send(app.as_user(Method::GET, &thread, &lawyer)).await;
    assert_eq!((got, code(&body)), (503, "SERVICE_UNAVAILABLE"));
    // An answer that is not the messages service's (no JSON) is not passed on.
    Mock::given(method("POST"))
        .and(path("/api/v1/messages/"))
        .and(body_json(
            json!({ "channelId": channel, "body": "lost", "attachments": [] }),
        ))
        .respond_with(ResponseTemplate::new(404).set_body_string("not here"))
        .mount(&messages)
        .await;
    let (got, body) = send(as_lawyer(Method::POST, &thread).json(&json!({ "body": "lost" }))).await;
    assert_eq!((got, code(&body)), (503, "SERVICE_UNAVAILABLE"));
}

#[tokio::test]
async fn without_the_messages_service_the_thread_is_unavailable() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::spawn_with(&SPECS, |c| c.messages_url = url).await;
    let lawyer = user(&app, FirmId::new(), "LAWYER").await;
    let room = id_of(&internal_channel(&app, &lawyer, "Alone").await);
    let thread = format!("/api/v1/channels/{room}/messages");
    let (got, body) = send(app.as_user(Method::GET, &thread, &lawyer)).await;
    assert_eq!((got, code(&body)), (503, "SERVICE_UNAVAILABLE"));
    let (got, body) = send(
        app.as_user(Method::POST, &thread, &lawyer)
            .json(&json!({ "body": "anyone?" })),
    )
    .await;
    assert_eq!((got, code(&body)), (503, "SERVICE_UNAVAILABLE"));
    // The channel itself does not depend on messages.
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/channels/{room}"),
            &lawyer
        )
        .await,
        200
    );
}
