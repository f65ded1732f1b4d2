//! The Messages API client against a wiremock Telnyx: the request it sends,
//! the message id it reads, and which failures are worth retrying.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use lawos_telnyx::{TelnyxClient, TelnyxError};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> TelnyxClient {
    TelnyxClient::new(&server.uri(), "KEY-123", Duration::from_millis(500)).unwrap()
}

#[tokio::test]
async fn a_send_posts_the_message_and_reads_its_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(header("authorization", "Bearer KEY-123"))
        .and(body_json(json!({
            "from": "+18445550001", "to": "+18665550002", "text": "Your hearing is Monday.",
            "messaging_profile_id": "profile-1", "type": "SMS"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": {
            "record_type": "message", "direction": "outbound", "id": "40385f64-5717-4562-b3fc-2c963f66afa6",
            "type": "SMS", "from": { "phone_number": "+18445550001" },
            "to": [{ "phone_number": "+18665550002", "status": "queued" }], "parts": 1
        }})))
        .expect(1)
        .mount(&server)
        .await;
    let sent = client(&server)
        .send_sms(
            "+18445550001",
            "+18665550002",
            "Your hearing is Monday.",
            "profile-1",
        )
        .await
        .unwrap();
    assert_eq!(sent.id, "40385f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(sent.status.as_deref(), Some("queued"));
    assert_eq!(sent.parts, Some(1));
}

#[tokio::test]
async fn refusals_are_permanent_and_outages_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({ "errors": [
            { "code": "40310", "title": "Invalid 'to' address", "detail": "The 'to' address should be E.164" }
        ]})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({ "errors": [
            { "code": "10011", "title": "Too many requests" }
        ]})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let c = client(&server);
    let send = || c.send_sms("+18445550001", "+1", "hi", "profile-1");

    let refused = send().await.unwrap_err();
    assert!(!refused.is_retryable());
    assert_eq!(
        refused.reason(),
        "Telnyx answered 422: 40310 Invalid 'to' address: The 'to' address should be E.164"
    );
    let down = send().await.unwrap_err();
    assert!(down.is_retryable(), "{down}");
    assert_eq!(down.reason(), "Telnyx answered 503: upstream down");
    let limited = send().await.unwrap_err();
    assert!(limited.is_retryable(), "{limited}");
    let slow = send().await.unwrap_err();
    assert!(
        matches!(&slow, TelnyxError::Retryable(r) if r.starts_with("Telnyx timed out")),
        "{slow:?}"
    );
}

#[tokio::test]
async fn an_unreachable_api_is_retryable_and_an_unreadable_acceptance_is_not() {
    let gone = TelnyxClient::new("http://127.0.0.1:1", "k", Duration::from_millis(500)).unwrap();
    let err = gone.send_sms("+1", "+2", "hi", "p").await.unwrap_err();
    assert!(err.is_retryable(), "{err}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let err = client(&server)
        .send_sms("+1", "+2", "hi", "p")
        .await
        .unwrap_err();
    assert!(!err.is_retryable(), "a second try could send it twice");
}
