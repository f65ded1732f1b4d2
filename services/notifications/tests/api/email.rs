//! E-mail through a real SMTP server on loopback (aiosmtpd), retried while it
//! is down and sent once when it is back; preferences that turn it off.

use std::time::Duration;

use lawos_testkit::api::{code, fields, send, send_ok};
use lawos_testkit::broker::eventually;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::smtp::{Smtp, free_port, header};
use crate::common::{self, SETTLE};

async fn app_with_smtp(port: u16) -> lawos_testkit::TestApp {
    let mut config = common::config();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    common::app_with(config).await
}

async fn deliveries(
    app: &lawos_testkit::TestApp,
    user: &lawos_testkit::TestUser,
    id: &str,
) -> Vec<Value> {
    let body = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/notifications/{id}/deliveries"),
            user,
        ),
        200,
    )
    .await;
    body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_stage_change_is_mailed_to_the_member_with_the_right_recipient_and_subject() {
    let port = free_port();
    let smtp = Smtp::start(port, &common::temp_dir("maildir")).await;
    let app = app_with_smtp(port).await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
    common::directory_user(&app, lawyer, "ada@firm.test").await;
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;

    let got = eventually(SETTLE, || async {
        smtp.messages()
            .iter()
            .any(|m| m.contains("Matter moved to IN_PROGRESS"))
    })
    .await;
    assert!(got, "no mail arrived: {:?}", smtp.messages());
    let mail = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains("Matter moved to IN_PROGRESS"))
        .unwrap();
    assert_eq!(
        header(&mail, "Subject").as_deref(),
        Some("Matter moved to IN_PROGRESS")
    );
    assert_eq!(header(&mail, "X-RcptTo").as_deref(), Some("ada@firm.test"));
    assert!(header(&mail, "To").unwrap().contains("ada@firm.test"));
    assert!(
        header(&mail, "From")
            .unwrap()
            .contains("notifications@lawos.test")
    );
    assert!(mail.contains("text/plain") && mail.contains("text/html"));
    let id = common::stage_notices(&app, lawyer).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = deliveries(&app, lawyer, &id).await;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0]["channel"].as_str(), d[0]["status"].as_str()),
        (Some("EMAIL"), Some("SENT"))
    );
    // The actor has no e-mail of it, and nobody without an address gets one.
    assert_eq!(
        smtp.messages()
            .iter()
            .filter(|m| m.contains("Matter moved to IN_PROGRESS"))
            .count(),
        1
    );
}

#[tokio::test]
async fn while_smtp_is_down_the_mail_is_retried_then_delivered_once_when_it_returns() {
    let port = free_port();
    let app = app_with_smtp(port).await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
    common::directory_user(&app, lawyer, "bea@firm.test").await;
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, lawyer).await.len() == 1
        })
        .await
    );
    let id = common::stage_notices(&app, lawyer).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let retried = eventually(SETTLE, || async {
        let d = deliveries(&app, lawyer, &id).await;
        d.len() == 1 && d[0]["attempts"].as_i64().unwrap_or(0) >= 2 && d[0]["status"] == "QUEUED"
    })
    .await;
    let d = deliveries(&app, lawyer, &id).await;
    assert!(retried, "{d:?}");
    assert!(
        d[0]["lastError"].as_str().unwrap().contains("SMTP"),
        "{d:?}"
    );
    assert!(d[0]["nextAttemptAt"].is_string());

    let smtp = Smtp::start(port, &common::temp_dir("maildir")).await;
    let sent = eventually(Duration::from_secs(15), || async {
        deliveries(&app, lawyer, &id).await[0]["status"] == "SENT"
    })
    .await;
    assert!(sent, "{:?}", deliveries(&app, lawyer, &id).await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.contains("Matter moved to IN_PROGRESS"))
        .collect();
    assert_eq!(mails.len(), 1, "exactly once");
    assert_eq!(
        header(&mails[0], "X-RcptTo").as_deref(),
        Some("bea@firm.test")
    );
}

#[tokio::test]
async fn turning_email_off_stops_it_but_a_mandatory_notice_cannot_be_turned_off() {
    let port = free_port();
    let smtp = Smtp::start(port, &common::temp_dir("maildir")).await;
    let app = app_with_smtp(port).await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
    common::directory_user(&app, lawyer, "cy@firm.test").await;

    let prefs = send_ok(
        app.as_user(Method::GET, "/api/v1/notifications/preferences", lawyer),
        200,
    )
    .await;
    let stage_mail = prefs["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "matter.stage_changed" && c["channel"] == "EMAIL")
        .unwrap()
        .clone();
    assert_eq!(
        (
            stage_mail["enabled"].as_bool(),
            stage_mail["source"].as_str()
        ),
        (Some(true), Some("DEFAULT"))
    );

    // Validation names every bad field; a mandatory notice stays on.
    let (status, body) = send(app.as_user(Method::PUT, "/api/v1/notifications/preferences", lawyer).json(&json!({
        "timeZone": "Mars/Olympus", "emailDigest": "WEEKLY", "quietHours": { "start": "25:00", "end": "07:00" },
        "channels": [
            { "type": "credential.expiring", "channel": "EMAIL", "enabled": false },
            { "type": "nope", "channel": "FAX", "enabled": true }
        ]
    }))).await;
    assert_eq!(status, 422, "{body}");
    let mut named = fields(&body);
    named.sort();
    assert_eq!(
        named,
        [
            "channels[0].enabled",
            "channels[1].channel",
            "channels[1].type",
            "emailDigest",
            "quietHours.start",
            "timeZone"
        ]
    );

    // A stale If-Match is refused.
    let (status, body) = send(
        app.as_user(Method::PUT, "/api/v1/notifications/preferences", lawyer)
            .header("If-Match", "\"stale\"")
            .json(&json!({})),
    )
    .await;
    assert_eq!((status, code(&body)), (412, "PRECONDITION_FAILED"));

    let res = app
        .as_user(Method::GET, "/api/v1/notifications/preferences", lawyer)
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let updated = send_ok(
        app.as_user(Method::PUT, "/api/v1/notifications/preferences", lawyer)
            .header("If-Match", etag)
            .json(&json!({ "timeZone": "Europe/Berlin", "channels": [ { "type": "matter.stage_changed", "channel": "EMAIL", "enabled": false } ] })),
        200,
    )
    .await;
    assert_eq!(updated["effectiveTimeZone"], "Europe/Berlin");
    let off = updated["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "matter.stage_changed" && c["channel"] == "EMAIL")
        .unwrap()
        .clone();
    assert_eq!(
        (off["enabled"].as_bool(), off["source"].as_str()),
        (Some(false), Some("USER"))
    );

    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, lawyer).await.len() == 1
        })
        .await
    );
    let n = common::stage_notices(&app, lawyer).await[0].clone();
    assert_eq!(n["channels"], json!(["IN_APP"]));
    assert!(
        deliveries(&app, lawyer, n["id"].as_str().unwrap())
            .await
            .is_empty()
    );

    // The mandatory licence notice is still mailed.
    let event = lawos_events::EventEnvelope::builder("credential.expiring", lawos_events::EntityRef::new("lawyer_credential", uuid::Uuid::now_v7()))
        .firm(t.firm.0)
        .data(json!({ "credentialId": uuid::Uuid::now_v7(), "userId": lawyer.user_id, "firmId": t.firm, "type": "BAR", "jurisdiction": "NY", "expiresAt": "2026-12-31", "daysLeft": 20 }))
        .build();
    common::publish(&app, &event).await;
    let got = eventually(SETTLE, || async {
        smtp.messages()
            .iter()
            .any(|m| m.contains("licence expires in 20 days"))
    })
    .await;
    assert!(got, "{:?}", smtp.messages());
    assert!(
        !smtp.messages().iter().any(|m| m.contains("Matter moved")),
        "the stage change was mailed"
    );
}
