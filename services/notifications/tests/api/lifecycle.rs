//! The daily digest (one e-mail to a real SMTP server listing what is unread
//! since the last digest, once a day) and expiry (an expired notification
//! leaves the list and the count at once, and the cleanup job deletes it).

use std::time::Duration;

use chrono::{Timelike, Utc};
use lawos_svc_notifications::{cleanup, delivery};
use lawos_testkit::api::send_ok;
use lawos_testkit::broker::eventually;
use reqwest::Method;
use serde_json::json;

use crate::common::smtp::{Smtp, free_port, header};
use crate::common::{self, SETTLE};

#[tokio::test]
async fn a_user_who_chose_the_digest_gets_one_mail_of_what_is_unread_once_a_day() {
    let port = free_port();
    let smtp = Smtp::start(port, &common::temp_dir("maildir")).await;
    let mut config = common::config();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    let app = common::app_with(config).await;
    let state = common::state(&app);
    let t = common::team(&app, &["LAWYER"]).await;
    let fay = &t.members[0];
    common::directory_user(&app, fay, "fay@firm.test").await;
    let now = Utc::now();
    let chosen = send_ok(
        app.as_user(Method::PUT, "/api/v1/notifications/preferences", fay)
            .json(&json!({
                "timeZone": "UTC", "emailDigest": "DAILY", "digestHour": now.hour()
            })),
        200,
    )
    .await;
    assert_eq!(chosen["emailDigest"], "DAILY", "{chosen}");

    // Two stage changes, the first read (with the notice of joining the
    // team): the digest lists the second only.
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    assert!(
        eventually(SETTLE, || async {
            common::list(&app, fay, "").await.len() == 2
        })
        .await
    );
    send_ok(
        app.as_user(Method::POST, "/api/v1/notifications/mark-all-read", fay),
        200,
    )
    .await;
    assert_eq!(common::unread(&app, fay).await, 0);
    common::move_stage(&app, &t.actor, t.matter, "CLOSED").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, fay).await.len() == 2
        })
        .await
    );
    // With the digest chosen, neither went out on its own.
    let latest = common::stage_notices(&app, fay).await[0].clone();
    assert_eq!(latest["channels"], json!(["IN_APP"]));

    assert_eq!(delivery::digest::run_once(&state, now).await.unwrap(), 1);
    let got = eventually(SETTLE, || async { !smtp.messages().is_empty() }).await;
    assert!(got, "no digest arrived");
    let mail = smtp.messages().remove(0);
    assert_eq!(
        header(&mail, "Subject").as_deref(),
        Some("Your LawOS digest: 1 unread")
    );
    assert_eq!(header(&mail, "X-RcptTo").as_deref(), Some("fay@firm.test"));
    assert!(mail.contains("Matter moved to CLOSED"), "{mail}");
    assert!(
        !mail.contains("Matter moved to IN_PROGRESS"),
        "a read one was listed: {mail}"
    );

    // The same day again: nothing more is queued, even later that hour.
    let marked = eventually(SETTLE, || async {
        common::count_rows(
            &app,
            "select count(*) as n from notifications.user_settings where user_id = $1 and last_digest_at is not null",
            fay.user_id.0,
        )
        .await
            == 1
    })
    .await;
    assert!(marked, "the digest time was not recorded");
    assert_eq!(delivery::digest::run_once(&state, now).await.unwrap(), 0);
    let later = now + chrono::Duration::minutes(1);
    if later.hour() == now.hour() {
        assert_eq!(delivery::digest::run_once(&state, later).await.unwrap(), 0);
    }
    // The next day, what was in the last digest is not listed again: still
    // unread, but older than it, so there is nothing to send.
    let tomorrow = now + chrono::Duration::days(1);
    assert_eq!(
        delivery::digest::run_once(&state, tomorrow).await.unwrap(),
        0
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(smtp.messages().len(), 1, "exactly one mail");
    assert_eq!(
        common::count_rows(
            &app,
            "select count(*) as n from notifications.deliveries where user_id = $1 and kind = 'DIGEST' and status = 'SENT'",
            fay.user_id.0,
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_expired_notification_leaves_the_list_and_the_count_and_the_cleanup_deletes_it() {
    let mut config = common::config();
    config.ttl = Duration::from_secs(4);
    let app = common::app_with(config).await;
    let state = common::state(&app);
    let t = common::team(&app, &["LAWYER"]).await;
    let gus = &t.members[0];
    common::directory_user(&app, gus, "gus@firm.test").await;
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, gus).await.len() == 1
        })
        .await
    );
    let n = common::stage_notices(&app, gus).await[0].clone();
    let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
    assert!(n["expiresAt"].is_string(), "{n}");
    // The stage change and the notice of joining the team, both unread.
    assert!(eventually(SETTLE, || async { common::unread(&app, gus).await == 2 }).await);

    let gone = eventually(Duration::from_secs(15), || async {
        common::list(&app, gus, "").await.is_empty() && common::unread(&app, gus).await == 0
    })
    .await;
    assert!(gone, "the expired notification is still shown");
    // Hidden at once, though still stored until the job runs.
    let stored = "select count(*) as n from notifications.notifications where id = $1";
    assert_eq!(common::count_rows(&app, stored, id).await, 1);
    let (status, _) = lawos_testkit::api::send(app.as_user(
        Method::POST,
        &format!("/api/v1/notifications/{id}/read"),
        gus,
    ))
    .await;
    assert_eq!(status, 404);

    assert!(cleanup::run_once(&state, Utc::now()).await.unwrap() >= 2);
    assert_eq!(common::count_rows(&app, stored, id).await, 0);
    assert_eq!(
        common::count_rows(
            &app,
            "select count(*) as n from notifications.deliveries where notification_id = $1",
            id,
        )
        .await,
        0,
        "its deliveries went with it"
    );
}
