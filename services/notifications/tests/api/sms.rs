//! SMS through Telnyx's Messages API (a wiremock stand-in, the real shared
//! client): the request Telnyx gets, SENT with its message id, an outage
//! retried then FAILED with Telnyx's reason, a refusal FAILED at once, no
//! settings or no phone FAILED at once, and a preference turning SMS off.

use std::time::Duration;

use lawos_svc_notifications::config::SmsSettings;
use lawos_testkit::broker::eventually;
use lawos_testkit::{TestApp, TestUser};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, SETTLE};

const API_KEY: &str = "KEYtest-notifications";
const PROFILE: &str = "40017a3c-0000-4000-8000-0000000000aa";
const FROM: &str = "+15550001000";

fn sms_settings(telnyx: &MockServer) -> SmsSettings {
    SmsSettings {
        api_url: telnyx.uri(),
        api_key: API_KEY.to_owned(),
        profile_id: PROFILE.to_owned(),
        from: FROM.to_owned(),
        timeout: Duration::from_secs(2),
    }
}

fn accepted(id: &str, to: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": {
        "record_type": "message", "direction": "outbound", "id": id, "type": "SMS",
        "messaging_profile_id": PROFILE, "from": { "phone_number": FROM },
        "to": [{ "phone_number": to, "status": "queued" }], "parts": 1, "errors": []
    }}))
}

/// A member with an e-mail address, `phone` on their firm profile, and SMS
/// chosen for stage changes.
async fn reachable(app: &TestApp, user: &TestUser, phone: Option<&str>) {
    common::directory_user(app, user, &format!("{}@firm.test", user.user_id.0.simple())).await;
    common::directory_profile(app, user, phone).await;
    common::choose(
        app,
        user,
        json!([{ "type": "matter.stage_changed", "channel": "SMS", "enabled": true }]),
    )
    .await;
}

/// The SMS delivery of `user`'s latest stage-change notice once it is `status`.
async fn sms_delivery(app: &TestApp, user: &TestUser, status: &str) -> Value {
    let deadline = std::time::Instant::now() + SETTLE;
    loop {
        let mut last = Value::Null;
        if let Some(n) = common::stage_notices(app, user).await.first() {
            last = common::deliveries(app, user, n["id"].as_str().unwrap())
                .await
                .into_iter()
                .find(|d| d["channel"] == "SMS")
                .unwrap_or(Value::Null);
            if last["status"] == status {
                return last;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the SMS delivery never became {status}: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sent_to(telnyx: &MockServer, to: &str) -> Vec<Value> {
    telnyx
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["to"] == to)
        .collect()
}

#[tokio::test]
async fn a_stage_change_is_texted_through_telnyx_and_turning_sms_off_stops_it() {
    let telnyx = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(header(
            "authorization",
            format!("Bearer {API_KEY}").as_str(),
        ))
        .and(body_partial_json(json!({
            "from": FROM, "to": "+15550102030", "messaging_profile_id": PROFILE, "type": "SMS"
        })))
        .respond_with(accepted("40317a3c-sms-1", "+15550102030"))
        .mount(&telnyx)
        .await;
    let mut config = common::config();
    config.sms = Some(sms_settings(&telnyx));
    let app = common::app_with(config).await;
    let t = common::team(&app, &["LAWYER", "LAWYER"]).await;
    let (ada, bo) = (&t.members[0], &t.members[1]);
    // Auth accepts separators; Telnyx is given E.164.
    reachable(&app, ada, Some("+1 (555) 010-2030")).await;
    reachable(&app, bo, None).await;

    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    let d = sms_delivery(&app, ada, "SENT").await;
    assert_eq!(d["attempts"], 1, "{d}");
    let n = common::stage_notices(&app, ada).await[0].clone();
    assert_eq!(n["channels"], json!(["IN_APP", "EMAIL", "SMS"]));
    let requests = sent_to(&telnyx, "+15550102030").await;
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0],
        json!({ "from": FROM, "to": "+15550102030", "messaging_profile_id": PROFILE, "type": "SMS",
                "text": "LawOS: Matter moved to IN_PROGRESS\n".to_owned() + n["body"].as_str().unwrap() })
    );
    let id: uuid::Uuid = d["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        common::count_rows(&app, "select count(*) as n from notifications.deliveries where id = $1 and provider_id = '40317a3c-sms-1' and address = '+15550102030'", id).await,
        1,
        "the delivery keeps the number and Telnyx's message id"
    );
    // Without a phone on the firm profile nothing is sent: FAILED at once.
    let none = sms_delivery(&app, bo, "FAILED").await;
    assert_eq!(none["attempts"], 1);
    assert!(
        none["lastError"]
            .as_str()
            .unwrap()
            .contains("no phone number"),
        "{none}"
    );

    // Ada turns SMS off: the next stage change is not texted.
    common::choose(
        &app,
        ada,
        json!([{ "type": "matter.stage_changed", "channel": "SMS", "enabled": false }]),
    )
    .await;
    common::move_stage(&app, &t.actor, t.matter, "CLOSED").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, ada).await.len() == 2
        })
        .await
    );
    let latest = common::stage_notices(&app, ada).await[0].clone();
    assert_eq!(latest["channels"], json!(["IN_APP", "EMAIL"]));
    let ds = common::deliveries(&app, ada, latest["id"].as_str().unwrap()).await;
    assert!(ds.iter().all(|d| d["channel"] != "SMS"), "{ds:?}");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sent_to(&telnyx, "+15550102030").await.len(), 1);
}

#[tokio::test]
async fn a_telnyx_outage_is_retried_then_failed_and_a_refusal_fails_at_once() {
    let telnyx = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_partial_json(json!({ "to": "+15550103030" })))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({ "errors": [{ "code": "10007", "title": "Unexpected error", "detail": "try later" }] })))
        .mount(&telnyx)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_partial_json(json!({ "to": "+15550104040" })))
        .respond_with(ResponseTemplate::new(422).set_body_json(
            json!({ "errors": [{ "code": "40300", "title": "Blocked due to STOP message" }] }),
        ))
        .mount(&telnyx)
        .await;
    let mut config = common::config();
    config.sms = Some(sms_settings(&telnyx));
    config.max_attempts = 3;
    let app = common::app_with(config).await;
    let t = common::team(&app, &["LAWYER", "LAWYER"]).await;
    let (cy, di) = (&t.members[0], &t.members[1]);
    reachable(&app, cy, Some("+15550103030")).await;
    reachable(&app, di, Some("+15550104040")).await;
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;

    // The 422 is a refusal: FAILED after one attempt, with Telnyx's words.
    let refused = sms_delivery(&app, di, "FAILED").await;
    assert_eq!(refused["attempts"], 1, "{refused}");
    assert_eq!(
        refused["lastError"],
        "Telnyx answered 422: 40300 Blocked due to STOP message"
    );
    assert_eq!(sent_to(&telnyx, "+15550104040").await.len(), 1);

    // The 503 is retried with the backoff, then FAILED once the attempts run out.
    let failed = sms_delivery(&app, cy, "FAILED").await;
    assert_eq!(failed["attempts"], 3, "{failed}");
    assert_eq!(
        failed["lastError"],
        "Telnyx answered 503: 10007 Unexpected error: try later"
    );
    assert!(failed["nextAttemptAt"].is_null());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sent_to(&telnyx, "+15550103030").await.len(), 3);
}

#[tokio::test]
async fn without_telnyx_settings_an_sms_fails_at_once_and_the_mail_still_goes() {
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER"]).await;
    let eve = &t.members[0];
    reachable(&app, eve, Some("+15550105050")).await;
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    let d = sms_delivery(&app, eve, "FAILED").await;
    assert_eq!(d["attempts"], 1);
    assert!(
        d["lastError"]
            .as_str()
            .unwrap()
            .starts_with("TELNYX_NOT_CONFIGURED"),
        "{d}"
    );
    let n = common::stage_notices(&app, eve).await[0].clone();
    let mail = eventually(SETTLE, || async {
        common::deliveries(&app, eve, n["id"].as_str().unwrap())
            .await
            .iter()
            .any(|d| d["channel"] == "EMAIL" && d["status"] == "SENT")
    })
    .await;
    assert!(mail, "the e-mail did not go out");
}
