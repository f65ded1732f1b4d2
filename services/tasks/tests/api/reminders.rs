//! Reminders fire once each across a `kill -9` of a worker: two `lawos-tasks`
//! processes (the binary, serving on their own ports) share the database; one
//! is killed (SIGKILL) while reminders keep coming due. Every reminder is
//! enqueued exactly once (one `appointment.reminder_due` per reminder in the
//! outbox), none before its due time.

use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::RunQueryDsl;
use lawos_core::FirmId;
use lawos_db::testdb::DEV_APP_PASSWORD;
use lawos_testkit::TestApp;
use lawos_testkit::broker::{TestVhost, eventually};
use reqwest::Method;
use serde_json::json;
use tokio::process::{Child, Command};

use crate::common::*;

const REMINDERS: usize = 24;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// A `lawos-tasks serve` on the test's database: its reminder worker runs.
fn worker(app: &TestApp, vhost: &TestVhost, name: &str) -> Child {
    let log = std::env::temp_dir().join(format!(
        "lawos-tasks-{name}-{}.log",
        uuid::Uuid::now_v7().simple()
    ));
    let out = std::fs::File::create(&log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_lawos-tasks"))
        .arg("serve")
        .env("LAWOS_DATABASE_URL", app.db.admin_url())
        .env("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD)
        .env("LAWOS_DB_POOL_SIZE", "4")
        .env("LAWOS_REDIS_PREFIX", &app.config.redis_prefix)
        .env("LAWOS_AMQP_URL", vhost.amqp_url())
        .env("LAWOS_HTTP_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("LAWOS_HTTP_WORKERS", "1")
        .env("LAWOS_TASKS_REMINDER_POLL_MS", "50")
        .env("LAWOS_LOG_FORMAT", "json")
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("lawos-tasks does not start: {e}"))
}

#[derive(diesel::QueryableByName, Debug)]
struct Sent {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    due_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sent_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    enqueued: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    first_occurred: Option<String>,
}

async fn reminders(app: &TestApp) -> Vec<Sent> {
    let mut conn = lawos_testkit::api::owner_connection(app).await;
    diesel::sql_query(
        "select r.id, r.due_at, r.sent_at, \
                (select count(*) from tasks.outbox o where o.event_type = 'appointment.reminder_due' \
                   and o.payload->'data'->>'reminderId' = r.id::text) as enqueued, \
                (select min(o.payload->>'occurredAt') from tasks.outbox o \
                   where o.payload->'data'->>'reminderId' = r.id::text) as first_occurred \
         from tasks.appointment_reminders r order by r.due_at",
    )
    .load(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_reminder_fires_once_across_a_kill_of_one_of_two_workers() {
    // The API in process without workers; the two workers are processes.
    let app = TestApp::spawn(&[lawos_svc_rbac::SPEC, lawos_svc_tasks::SPEC]).await;
    let vhost = TestVhost::create().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    // Reminders one minute before starts 4–10 s from now: due over six seconds.
    let first = Utc::now() + chrono::Duration::seconds(64);
    for i in 0..REMINDERS {
        let start = first + chrono::Duration::milliseconds(250 * i as i64);
        send_ok(app.as_user(Method::POST, "/api/v1/tasks/appointments/", &lawyer).json(&json!({
            "title": format!("Reminder {i}"), "type": "CALL", "startsAt": start,
            "endsAt": start + chrono::Duration::minutes(15), "reminderMinutes": [1], "allowConflicts": true
        })), 201).await;
    }
    assert_eq!(reminders(&app).await.len(), REMINDERS);
    let mut a = worker(&app, &vhost, "a");
    let mut b = worker(&app, &vhost, "b");
    // Kill one worker while reminders are coming due.
    let some = eventually(Duration::from_secs(20), || async {
        reminders(&app).await.iter().any(|r| r.sent_at.is_some())
    })
    .await;
    assert!(some, "no reminder was sent");
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.start_kill().unwrap(); // SIGKILL
    let status = a.wait().await.unwrap();
    assert!(!status.success(), "the worker was killed");
    let left = reminders(&app)
        .await
        .iter()
        .filter(|r| r.sent_at.is_none())
        .count();
    assert!(
        left > 0,
        "the kill came after the last reminder; nothing was left to the other worker"
    );
    let all = eventually(Duration::from_secs(30), || async {
        reminders(&app).await.iter().all(|r| r.sent_at.is_some())
    })
    .await;
    assert!(all, "reminders left unsent: {:?}", reminders(&app).await);
    assert!(
        b.try_wait().unwrap().is_none(),
        "the other worker is still running"
    );
    for r in reminders(&app).await {
        assert_eq!(
            r.enqueued, 1,
            "reminder {} enqueued {} times",
            r.id, r.enqueued
        );
        let sent = r.sent_at.unwrap();
        assert!(
            sent >= r.due_at,
            "reminder {} sent at {sent}, due {}",
            r.id,
            r.due_at
        );
        let occurred: DateTime<Utc> = r.first_occurred.unwrap().parse().unwrap();
        assert!(
            occurred >= r.due_at,
            "reminder {} announced at {occurred}, due {}",
            r.id,
            r.due_at
        );
    }
    // The event carries what notifications needs.
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    #[derive(diesel::QueryableByName)]
    struct Payload {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        payload: serde_json::Value,
    }
    let one: Payload = diesel::sql_query(
        "select payload from tasks.outbox where event_type = 'appointment.reminder_due' limit 1",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    let data = &one.payload["data"];
    assert_eq!(data["minutesBefore"], 1);
    assert_eq!(data["attendeeUserIds"], json!([lawyer.user_id]));
    assert!(
        data["occurrenceStartsAt"].is_string()
            && data["title"].is_string()
            && data["appointmentId"].is_string()
    );
    let _ = b.start_kill();
    let _ = b.wait().await;
}
