//! Calls over LiveKit (a wiremock stand-in of its server API): a room created
//! with the right body, join tokens that verify with the API secret, signed
//! webhooks turned into the call's record and `call.ended` in the matter's
//! timeline, bad signatures refused, repeated webhooks changing nothing.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec};
use lawos_svc_channels::calls::config::LiveKitConfig;
use lawos_svc_channels::calls::livekit::Claims;
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, send, send_ok};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const KEY: &str = "lk-test-key";
const SECRET: &str = "lk-test-secret-that-is-long-enough";

/// Each test's LiveKit, by its Redis prefix (unique per test).
static LIVEKITS: LazyLock<Mutex<HashMap<String, LiveKitConfig>>> = LazyLock::new(Mutex::default);

fn mount(env: &ServiceEnv) -> Mount {
    let config = LIVEKITS
        .lock()
        .unwrap()
        .get(&env.config.redis_prefix)
        .cloned();
    lawos_svc_channels::mount_with(env, config)
}

const CHANNELS: ServiceSpec = ServiceSpec {
    mount,
    ..lawos_svc_channels::SPEC
};

async fn app_with_livekit(livekit: &MockServer) -> TestApp {
    let prefix = format!("test:{}", Uuid::now_v7().simple());
    LIVEKITS.lock().unwrap().insert(
        prefix.clone(),
        LiveKitConfig::for_tests(&livekit.uri(), KEY, SECRET),
    );
    let specs = [
        lawos_svc_rbac::SPEC,
        lawos_svc_events::SPEC,
        lawos_svc_contacts::SPEC,
        lawos_svc_matters::SPEC,
        CHANNELS,
    ];
    let app = TestApp::spawn_with_events_and(&specs, move |c| c.redis_prefix = prefix).await;
    ready(&app).await;
    app
}

fn verify(token: &str) -> Claims {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[KEY]);
    v.validate_aud = false;
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(SECRET.as_bytes()), &v)
        .expect("a token signed with the API secret")
        .claims
}

/// `Authorization` for `body` as LiveKit signs it, with `secret`.
fn signature(body: &[u8], secret: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": KEY, "nbf": now - 1, "exp": now + 300, "video": {},
        "sha256": STANDARD.encode(Sha256::digest(body)),
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn webhook(app: &TestApp, body: &Value, auth: Option<String>) -> (u16, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let mut req = app
        .http
        .post(app.url("/webhooks/livekit/"))
        .header("content-type", "application/webhook+json");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    send(req.body(bytes)).await
}

async fn signed(app: &TestApp, body: &Value) -> (u16, Value) {
    let auth = signature(&serde_json::to_vec(body).unwrap(), SECRET);
    webhook(app, body, Some(auth)).await
}

fn event(kind: &str, id: &str, room: &str, at: i64, who: Option<(&str, Uuid)>) -> Value {
    let mut e = json!({
        "event": kind, "id": id, "createdAt": at.to_string(),
        "room": { "sid": "RM_test", "name": room, "emptyTimeout": 300 }
    });
    if let Some((sid, user)) = who {
        e["participant"] = json!({ "sid": sid, "identity": user.to_string(), "name": "Someone", "state": "ACTIVE" });
    }
    e
}

#[tokio::test]
async fn a_call_is_opened_joined_and_recorded_from_signed_webhooks() {
    let livekit = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/twirp/livekit.RoomService/CreateRoom"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sid": "RM_test", "name": "ignored", "emptyTimeout": 300, "creationTime": "1700000000"
        })))
        .expect(1)
        .mount(&livekit)
        .await;
    let app = app_with_livekit(&livekit).await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let paralegal = user(&app, firm, "PARALEGAL").await;
    let matter_id = matter(&app, &lawyer, "Deposition prep").await;
    join(&app, &lawyer, matter_id, &paralegal, "PARALEGAL").await;
    let (channel, _) = default_channel(&app, &lawyer, matter_id, Duration::from_secs(5))
        .await
        .unwrap();
    let calls = format!("/api/v1/channels/{}/calls", id_of(&channel));

    let opened = send_ok(app.as_user(Method::POST, &calls, &lawyer), 201).await;
    let call = &opened["call"];
    let call_id = id_of(call);
    let room = call["roomName"].as_str().unwrap().to_owned();
    assert_eq!(
        room,
        format!("lawos-{}-{}", firm.0.simple(), call_id.simple())
    );
    assert_eq!(call["status"], "CREATED");
    // The room was created at LiveKit with a token of the API key and the room's name.
    let received = livekit.received_requests().await.unwrap();
    let create: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(create["name"], room);
    assert_eq!(create["empty_timeout"], 300);
    let meta: Value = serde_json::from_str(create["metadata"].as_str().unwrap()).unwrap();
    assert_eq!(meta["callId"], json!(call_id));
    let bearer = received[0].headers["authorization"].to_str().unwrap();
    let server = verify(bearer.strip_prefix("Bearer ").unwrap());
    assert_eq!(server.video.unwrap().room_create, Some(true));
    // The caller's join token: the room, their identity, publishing, a short life.
    let join = &opened["join"];
    let claims = verify(join["token"].as_str().unwrap());
    assert_eq!(claims.sub, Some(lawyer.user_id.to_string()));
    let grant = claims.video.unwrap();
    assert_eq!(grant.room.as_deref(), Some(room.as_str()));
    assert_eq!(
        (grant.room_join, grant.can_publish, grant.can_subscribe),
        (Some(true), Some(true), Some(true))
    );
    assert!(claims.exp - claims.nbf <= 600);
    assert_eq!(join["identity"], json!(lawyer.user_id));
    assert!(join["url"].as_str().unwrap().starts_with("ws://"));

    // Another firm's user: 404 on the channel's calls, whatever the route.
    let other = user(&app, FirmId::new(), "LAWYER").await;
    let one = format!("{calls}/{call_id}");
    for (m, route) in [
        (Method::GET, calls.clone()),
        (Method::POST, calls.clone()),
        (Method::GET, one.clone()),
        (Method::POST, format!("{one}/tokens")),
    ] {
        assert_eq!(
            status(&app, m.clone(), &route, &other).await,
            404,
            "{m} {route}"
        );
    }
    // Who may see the channel gets a token; publishing as the role allows.
    let seen = soon(lawos_testkit::broker::PROPAGATE, || async {
        status(&app, Method::GET, &one, &paralegal).await == 200
    })
    .await;
    assert!(seen);
    let theirs = send_ok(
        app.as_user(Method::POST, &format!("{one}/tokens"), &paralegal),
        201,
    )
    .await;
    assert_eq!(theirs["canPublish"], true);
    assert_eq!(
        verify(theirs["token"].as_str().unwrap()).sub,
        Some(paralegal.user_id.to_string())
    );
    let admin = user(&app, firm, "FIRM_ADMIN").await;
    let listener = send_ok(
        app.as_user(Method::POST, &format!("{one}/tokens"), &admin),
        201,
    )
    .await;
    assert_eq!(
        listener["canPublish"], false,
        "FIRM_ADMIN holds no messages:create"
    );
    assert_eq!(
        verify(listener["token"].as_str().unwrap())
            .video
            .unwrap()
            .can_publish,
        Some(false)
    );

    // Signed webhooks: the room starts, two join, one leaves, the room finishes.
    let t0 = chrono::Utc::now().timestamp() - 600;
    let a = Some(("PA_lawyer", lawyer.user_id.0));
    let b = Some(("PA_paralegal", paralegal.user_id.0));
    let sequence = [
        event("room_started", "EV_1", &room, t0, None),
        event("participant_joined", "EV_2", &room, t0 + 1, a),
        event("participant_joined", "EV_3", &room, t0 + 5, b),
        event("track_published", "EV_4", &room, t0 + 6, b),
        event("participant_left", "EV_5", &room, t0 + 60, b),
        event("room_finished", "EV_6", &room, t0 + 125, None),
    ];
    for e in &sequence {
        let (got, body) = signed(&app, e).await;
        assert_eq!(got, 200, "{e}: {body}");
    }
    let ended = send_ok(app.as_user(Method::GET, &one, &lawyer), 200).await;
    assert_eq!(ended["status"], "ENDED");
    assert_eq!(ended["durationSeconds"], 125);
    assert_eq!(
        ended["startedAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp(),
        t0
    );
    let people = ended["participants"].as_array().unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[0]["userId"], json!(lawyer.user_id));
    assert!(people.iter().all(|p| p["leftAt"].is_string()), "{people:?}");
    // The same webhook again changes nothing.
    let (got, body) = signed(&app, &sequence[5]).await;
    assert_eq!((got, body["applied"].clone()), (200, json!(false)));
    let (got, body) = signed(&app, &event("room_finished", "EV_7", &room, t0 + 900, None)).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(
        send_ok(app.as_user(Method::GET, &one, &lawyer), 200).await,
        ended
    );
    // A token for an ended call: 409.
    assert_eq!(
        status(&app, Method::POST, &format!("{one}/tokens"), &lawyer).await,
        409
    );

    // Bad signatures: 401, nothing stored.
    let late = event(
        "participant_joined",
        "EV_8",
        &room,
        t0 + 200,
        Some(("PA_x", Uuid::now_v7())),
    );
    let bytes = serde_json::to_vec(&late).unwrap();
    for auth in [
        None,
        Some(signature(&bytes, "not-the-secret")),
        Some(signature(b"another body", SECRET)),
        Some("Bearer garbage".to_owned()),
    ] {
        let (got, body) = webhook(&app, &late, auth).await;
        assert_eq!((got, code(&body)), (401, "AUTH_TOKEN_INVALID"));
    }
    let after = send_ok(app.as_user(Method::GET, &one, &lawyer), 200).await;
    assert_eq!(after["participants"].as_array().unwrap().len(), 2);
    // A room this platform did not open: received, nothing applied.
    let (got, body) = signed(
        &app,
        &event("room_started", "EV_9", "somebody-else", t0, None),
    )
    .await;
    assert_eq!((got, body["applied"].clone()), (200, json!(false)));

    // call.ended shows in the matter's timeline, with its duration.
    let timeline = format!("/api/v1/matters/{matter_id}/timeline?limit=100");
    let shown = soon(Duration::from_secs(10), || async {
        let page = send_ok(app.as_user(Method::GET, &timeline, &lawyer), 200).await;
        page["data"].as_array().unwrap().iter().any(|item| {
            item["event"]["type"] == "call.ended"
                && item["event"]["envelope"]["data"]["durationSeconds"] == 125
                && item["event"]["envelope"]["data"]["callId"] == json!(call_id)
        })
    })
    .await;
    assert!(shown, "call.ended did not reach the matter's timeline");
    let listed = send_ok(app.as_user(Method::GET, &calls, &paralegal), 200).await;
    assert_eq!(listed["pagination"]["total"], 1);
    assert_eq!(listed["data"][0]["id"], json!(call_id));
}

#[tokio::test]
async fn without_livekit_calls_are_unavailable_and_a_failing_livekit_stores_nothing() {
    let app = TestApp::spawn(&SPECS).await;
    let lawyer = user(&app, FirmId::new(), "LAWYER").await;
    let room = id_of(&internal_channel(&app, &lawyer, "No calls here").await);
    let (got, body) = send(app.as_user(
        Method::POST,
        &format!("/api/v1/channels/{room}/calls"),
        &lawyer,
    ))
    .await;
    assert_eq!((got, code(&body)), (503, "SERVICE_UNAVAILABLE"));
    assert_eq!(body["error"]["details"]["reason"], "LIVEKIT_NOT_CONFIGURED");
    let (got, body) = webhook(
        &app,
        &json!({ "event": "room_started", "id": "EV_1" }),
        None,
    )
    .await;
    assert_eq!(
        (got, body["error"]["details"]["reason"].clone()),
        (503, json!("LIVEKIT_NOT_CONFIGURED"))
    );
    drop(app);

    let livekit = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&livekit)
        .await;
    let app = app_with_livekit(&livekit).await;
    let lawyer = user(&app, FirmId::new(), "LAWYER").await;
    let room = id_of(&internal_channel(&app, &lawyer, "LiveKit down").await);
    let calls = format!("/api/v1/channels/{room}/calls");
    let (got, body) = send(app.as_user(Method::POST, &calls, &lawyer)).await;
    assert_eq!(
        (got, body["error"]["details"]["reason"].clone()),
        (503, json!("LIVEKIT_UNAVAILABLE"))
    );
    let listed = send_ok(app.as_user(Method::GET, &calls, &lawyer), 200).await;
    assert_eq!(listed["pagination"]["total"], 0, "nothing stored");
}
