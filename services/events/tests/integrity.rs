//! Exactly-once recording, tamper evidence, and the append-only guarantees.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions

mod common;

use common::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_svc_events::worker::record;
use lawos_testkit::TestApp;
use lawos_testkit::broker::eventually;
use serde_json::json;
use uuid::Uuid;

async fn events_only() -> TestApp {
    TestApp::spawn_with_events(&[lawos_svc_events::SPEC]).await
}

#[tokio::test]
async fn a_duplicate_delivery_is_stored_once() {
    let app = events_only().await;
    let firm = Uuid::now_v7();
    let env = envelope(firm, Uuid::now_v7(), 1);
    // Directly: the second append is a no-op.
    assert!(record(events_db(&app), &env).await.unwrap());
    assert!(!record(events_db(&app), &env).await.unwrap());

    // Through the broker: the same envelope published twice, then a marker.
    let amqp = Connection::connect(
        &app.vhost.as_ref().unwrap().amqp_url(),
        ConnectionProperties::default(),
    )
    .await
    .unwrap();
    wait_for_consumer_queue(&app).await;
    let ch = amqp.create_channel().await.unwrap();
    let twice = envelope(firm, Uuid::now_v7(), 2);
    let marker = envelope(firm, Uuid::now_v7(), 3);
    for e in [&twice, &twice, &env, &marker] {
        ch.basic_publish(
            lawos_events::EXCHANGE.into(),
            e.event_type.as_str().into(),
            BasicPublishOptions::default(),
            &serde_json::to_vec(e).unwrap(),
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    let marker_id = marker.id.to_string();
    assert!(
        eventually(WAIT, || async {
            count(
                &app,
                "select count(*) as n from events.event_log where id = $1::uuid",
                &marker_id,
            )
            .await
                == 1
        })
        .await
    );
    let firm_s = firm.to_string();
    assert_eq!(
        count(
            &app,
            "select count(*) as n from events.event_log where firm_id = $1::uuid",
            &firm_s
        )
        .await,
        3
    );
    let reader = auditor(FirmId(firm));
    let verify = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        verify,
        json!({"valid": true, "checked": 3, "firstBrokenAt": null})
    );
    let _ = amqp.close(0, "done".into()).await;
}

#[tokio::test]
async fn a_row_altered_in_the_database_is_reported_by_verify() {
    let app = TestApp::spawn(&[lawos_svc_events::SPEC]).await;
    let firm = Uuid::now_v7();
    let entity = Uuid::now_v7();
    let envs: Vec<_> = (0..4).map(|n| envelope(firm, entity, n)).collect();
    for e in &envs {
        assert!(record(events_db(&app), e).await.unwrap());
    }
    // Other firms' chains are separate.
    record(events_db(&app), &envelope(Uuid::now_v7(), entity, 9))
        .await
        .unwrap();
    let reader = auditor(FirmId(firm));
    let before = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        before,
        json!({"valid": true, "checked": 4, "firstBrokenAt": null})
    );

    let target = envs[2].id;
    let mut conn = admin(&app).await;
    diesel::sql_query("ALTER TABLE events.event_log DISABLE TRIGGER event_log_append_only")
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query(
        "UPDATE events.event_log SET payload = jsonb_set(payload, '{data,n}', '42') WHERE id = $1",
    )
    .bind::<SqlUuid, _>(target)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query("ALTER TABLE events.event_log ENABLE TRIGGER event_log_append_only")
        .execute(&mut conn)
        .await
        .unwrap();
    let seq = get_json(&app, &format!("/api/v1/events/{target}"), &reader).await["seq"].clone();
    let after = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        after,
        json!({"valid": false, "checked": 3, "firstBrokenAt": {"id": target, "seq": seq}})
    );
}

async fn refused(conn: &mut AsyncPgConnection, sql: &str) {
    let result = conn
        .transaction(async |c| diesel::sql_query(sql).execute(c).await)
        .await;
    let err = result.expect_err(sql).to_string();
    assert!(
        err.contains("append-only") || err.contains("permission denied"),
        "{sql}: {err}"
    );
}

#[tokio::test]
async fn update_delete_and_truncate_are_refused_even_for_the_owner() {
    let app = TestApp::spawn(&[lawos_svc_events::SPEC]).await;
    let firm = Uuid::now_v7();
    record(events_db(&app), &envelope(firm, Uuid::now_v7(), 1))
        .await
        .unwrap();
    let firm_s = firm.to_string();
    let future = "2999-01-01T00:00:00Z";

    // The owner role (and, through it, the superuser).
    let mut owner = admin(&app).await;
    diesel::sql_query("SET ROLE lawos_events_owner")
        .execute(&mut owner)
        .await
        .unwrap();
    refused(&mut owner, "UPDATE events.event_log SET event_type = 'x'").await;
    refused(&mut owner, "DELETE FROM events.event_log").await;
    refused(&mut owner, "TRUNCATE events.event_log").await;
    refused(&mut owner, "TRUNCATE events.chain_anchors").await;
    // Even with the archive setting, only rows older than the cutoff may go.
    let recent = owner
        .transaction(async |c| {
            diesel::sql_query(
                "select set_config('lawos.archive_cutoff', '2000-01-01T00:00:00Z', true)",
            )
            .execute(c)
            .await?;
            diesel::sql_query("DELETE FROM events.event_log")
                .execute(c)
                .await
        })
        .await;
    assert!(
        recent.is_err(),
        "rows newer than the cutoff are never deleted"
    );

    // The runtime role, even when it sets the archive cutoff itself.
    let mut runtime = AsyncPgConnection::establish(&app.db.runtime_url("events"))
        .await
        .unwrap();
    for sql in [
        "UPDATE events.event_log SET event_type = 'x'",
        "DELETE FROM events.event_log",
        "TRUNCATE events.event_log",
    ] {
        let result = runtime
            .transaction(async |c| {
                diesel::sql_query("select set_config('app.firm_id', $1, true), set_config('lawos.archive_cutoff', $2, true)")
                    .bind::<Text, _>(&firm_s)
                    .bind::<Text, _>(future)
                    .execute(c)
                    .await?;
                diesel::sql_query(sql).execute(c).await
            })
            .await;
        let err = result.expect_err(sql).to_string();
        assert!(
            err.contains("append-only") || err.contains("permission denied"),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        count(
            &app,
            "select count(*) as n from events.event_log where firm_id = $1::uuid",
            &firm_s
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_resources_history_includes_events_filed_under_it_when_asked() {
    let app = TestApp::spawn(&[lawos_svc_events::SPEC]).await;
    let firm = Uuid::now_v7();
    let (matter, task, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let own = EventEnvelope::builder("matter.updated", EntityRef::new("matter", matter))
        .firm(firm)
        .build();
    let under = EventEnvelope::builder("task.completed", EntityRef::new("task", task))
        .firm(firm)
        .context(Some(EntityRef::new("matter", matter)))
        .build();
    let other = EventEnvelope::builder("task.completed", EntityRef::new("task", elsewhere))
        .firm(firm)
        .context(Some(EntityRef::new("matter", Uuid::now_v7())))
        .build();
    for e in [&own, &under, &other] {
        assert!(record(events_db(&app), e).await.unwrap());
    }
    let reader = auditor(FirmId(firm));
    let ids = |page: serde_json::Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("/api/v1/events/entities/matter/{matter}");
    assert_eq!(
        ids(get_json(&app, &path, &reader).await),
        [own.id.to_string()]
    );
    assert_eq!(
        ids(get_json(&app, &format!("{path}?related=true"), &reader).await),
        [under.id.to_string(), own.id.to_string()]
    );
    // The task's own history still holds it; the chain covers the context.
    let task_path = format!("/api/v1/events/entities/task/{task}");
    assert_eq!(
        ids(get_json(&app, &task_path, &reader).await),
        [under.id.to_string()]
    );
    let verify = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(verify["valid"], true);
}
