//! Retention: rows past the horizon go to S3 as NDJSON, then leave the log; the
//! chain continues from the recorded anchor. Needs the local S3 store
//! (`scripts/infra.sh --with-s3`, or LAWOS_S3_* pointing at one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{TimeDelta, Utc};
use common::*;
use diesel_async::RunQueryDsl;
use lawos_core::FirmId;
use lawos_svc_events::archive::{ArchiveArgs, run, s3_client};
use lawos_svc_events::chain;
use lawos_svc_events::model::EventRow;
use lawos_svc_events::worker::record;
use lawos_testkit::TestApp;
use serde_json::json;
use uuid::Uuid;

fn args(app: &TestApp, bucket: &str, dry_run: bool) -> ArchiveArgs {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    ArchiveArgs {
        older_than_days: 2555,
        bucket: bucket.to_owned(),
        prefix: "event-log".into(),
        dry_run,
        batch: 2,
        database_url: app.db.admin_url(),
        s3_endpoint: Some(env("LAWOS_S3_ENDPOINT", "http://127.0.0.1:9000")),
        s3_region: env("LAWOS_S3_REGION", "us-east-1"),
        s3_access_key: Some(env("LAWOS_S3_ACCESS_KEY", "lawos")),
        s3_secret_key: Some(env("LAWOS_S3_SECRET_KEY", "lawos-secret-key")),
    }
}

#[tokio::test]
async fn old_rows_are_exported_then_deleted_and_the_chain_stays_valid() {
    let app = TestApp::spawn(&[lawos_svc_events::SPEC]).await;
    let bucket = format!("lawos-test-{}", Uuid::now_v7().simple());
    let s3 = s3_client(&args(&app, &bucket, false)).unwrap();
    if let Err(e) = s3.create_bucket().bucket(&bucket).send().await {
        panic!("S3 must be reachable (scripts/infra.sh --with-s3): {e:?}");
    }
    let firm = Uuid::now_v7();
    // Three rows received eight years ago, chained as the service chains them.
    let mut prev = chain::GENESIS.to_vec();
    let mut conn = admin(&app).await;
    for n in 0..3 {
        let env = envelope(firm, Uuid::now_v7(), n);
        let old = Utc::now() - TimeDelta::days(8 * 365 + n);
        let mut row = EventRow {
            id: env.id,
            firm_id: firm,
            seq: 0,
            event_type: env.event_type.clone(),
            entity_type: env.entity.entity_type.clone(),
            entity_id: env.entity.id,
            actor_user_id: env.actor.user_id,
            actor_act_as: None,
            occurred_at: old,
            received_at: old,
            payload: serde_json::to_value(&env).unwrap(),
            prev_hash: prev.clone(),
            hash: vec![],
        };
        let seq: Count = diesel::sql_query("select nextval('events.event_log_seq_seq') as n")
            .get_result(&mut conn)
            .await
            .unwrap();
        row.seq = seq.n;
        row.occurred_at = chain_micros(row.occurred_at);
        row.received_at = row.occurred_at;
        row.hash = chain::hash(&row.prev_hash, &row);
        prev = row.hash.clone();
        diesel::insert_into(lawos_svc_events::schema::event_log::table)
            .values(&row)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    // A recent row links to the last old one.
    assert!(
        record(events_db(&app), &envelope(firm, Uuid::now_v7(), 9))
            .await
            .unwrap()
    );
    let reader = auditor(FirmId(firm));
    let before = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        before,
        json!({"valid": true, "checked": 4, "firstBrokenAt": null})
    );

    let dry = run(&args(&app, &bucket, true), None).await.unwrap();
    assert_eq!((dry.rows, dry.objects.len()), (3, 0));
    let firm_s = firm.to_string();
    let stored = "select count(*) as n from events.event_log where firm_id = $1::uuid";
    assert_eq!(
        count(&app, stored, &firm_s).await,
        4,
        "a dry run deletes nothing"
    );

    let done = run(&args(&app, &bucket, false), Some(&s3)).await.unwrap();
    assert_eq!((done.rows, done.objects.len()), (3, 2), "batches of 2");
    assert_eq!(
        count(&app, stored, &firm_s).await,
        1,
        "only the recent row is left"
    );
    let mut lines = 0;
    for key in &done.objects {
        let object = s3
            .get_object()
            .bucket(&bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        let body = object.body.collect().await.unwrap().into_bytes();
        for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let event: serde_json::Value = serde_json::from_slice(line).unwrap();
            assert_eq!(event["firmId"], firm_s);
            lines += 1;
        }
    }
    assert_eq!(lines, 3);
    let after = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(
        after,
        json!({"valid": true, "checked": 1, "firstBrokenAt": null})
    );
    // New events continue the chain after the archive.
    assert!(
        record(events_db(&app), &envelope(firm, Uuid::now_v7(), 10))
            .await
            .unwrap()
    );
    let again = get_json(&app, "/api/v1/events/verify", &reader).await;
    assert_eq!(again["valid"], true);
    assert_eq!(again["checked"], 2);
    // Nothing left to archive.
    let none = run(&args(&app, &bucket, false), Some(&s3)).await.unwrap();
    assert_eq!(none.rows, 0);
}

fn chain_micros(t: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    use chrono::DurationRound;
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap()
}
