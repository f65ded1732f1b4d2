//! What channels does with events: a matter's default channel on
//! `matter.created` (once, however often it is delivered), its participants in
//! step with the matter's team, last activity from the messages' events.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_testkit::TestApp;
use lawos_testkit::api::{id_of, outbox_drains, owner_connection};
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many default channels matter `matter` has (looked at as the owner).
async fn defaults_of(app: &TestApp, matter: Uuid) -> i64 {
    let mut conn = owner_connection(app).await;
    diesel::sql_query(
        "select count(*) as n from channels.channels \
         where context_type = 'MATTER' and context_id = $1 and is_default",
    )
    .bind::<SqlUuid, _>(matter)
    .get_result::<Count>(&mut conn)
    .await
    .unwrap()
    .n
}

/// Publishes `event` on `lawos.events` as a producer's relay would.
async fn publish(app: &TestApp, event: &EventEnvelope) {
    let amqp = lapin::Connection::connect(
        &app.vhost.as_ref().unwrap().amqp_url(),
        lapin::ConnectionProperties::default(),
    )
    .await
    .unwrap();
    let ch = amqp.create_channel().await.unwrap();
    ch.basic_publish(
        lawos_events::EXCHANGE.into(),
        event.event_type.as_str().into(),
        BasicPublishOptions::default(),
        &serde_json::to_vec(event).unwrap(),
        BasicProperties::default(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let _ = amqp.close(0, "sent".into()).await;
}

#[tokio::test]
async fn a_new_matter_gets_its_channel_and_the_team_takes_part() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let paralegal = user(&app, firm, "PARALEGAL").await;
    let staff = user(&app, firm, "STAFF").await;

    let id = matter(&app, &lawyer, "Smith v Jones").await;
    join(&app, &lawyer, id, &paralegal, "PARALEGAL").await;
    let (channel, _took) = default_channel(&app, &lawyer, id, lawos_testkit::broker::PROPAGATE)
        .await
        .expect("no default channel for the matter");
    assert_eq!(channel["contextType"], "MATTER");
    assert_eq!(channel["contextId"], json!(id));
    assert_eq!(channel["kind"], "INTERNAL");
    assert_eq!(channel["title"], "Smith v Jones");
    assert_eq!(channel["isDefault"], true);
    assert_eq!(channel["createdBy"], json!(lawyer.user_id));
    assert!(channel["archivedAt"].is_null());
    assert_eq!(channel["lastActivityAt"], channel["createdAt"]);
    let channel_id = id_of(&channel);
    let paralegal_in = soon(lawos_testkit::broker::PROPAGATE, || async {
        user_ids(&app, &lawyer, channel_id).await == [paralegal.user_id.0]
    })
    .await;
    assert!(paralegal_in, "the matter's member did not take part");

    // A member added later joins; a member removed leaves.
    join(&app, &lawyer, id, &staff, "STAFF").await;
    let both = soon(lawos_testkit::broker::PROPAGATE, || async {
        let ids = user_ids(&app, &lawyer, channel_id).await;
        ids.len() == 2 && ids.contains(&staff.user_id.0)
    })
    .await;
    assert!(both, "the later member did not join");
    let remove = format!("/api/v1/matters/{id}/members/{}", paralegal.user_id);
    assert_eq!(
        status(&app, reqwest::Method::DELETE, &remove, &lawyer).await,
        204
    );
    let left = soon(lawos_testkit::broker::PROPAGATE, || async {
        user_ids(&app, &lawyer, channel_id).await == [staff.user_id.0]
    })
    .await;
    assert!(left, "the removed member still takes part");
    // A member sees the channel through the matter (after rbac's projection).
    let seen = soon(lawos_testkit::broker::PROPAGATE, || async {
        status(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/channels/{channel_id}"),
            &staff,
        )
        .await
            == 200
    })
    .await;
    assert!(seen, "the STAFF member never read the matter's channel");

    // The entity events are filed under the matter.
    assert!(outbox_drains(&app, "channels").await);
    let mut conn = owner_connection(&app).await;
    #[derive(diesel::QueryableByName)]
    struct Filed {
        #[diesel(sql_type = diesel::sql_types::Text)]
        event_type: String,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        context: serde_json::Value,
    }
    let filed: Vec<Filed> = diesel::sql_query(
        "select event_type, payload -> 'context' as context from channels.outbox order by seq",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let types: Vec<&str> = filed.iter().map(|f| f.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "channel.created",
            "channel_participant.created",
            "channel_participant.created",
            "channel_participant.deleted"
        ]
    );
    for f in &filed {
        assert_eq!(
            f.context,
            json!({ "type": "matter", "id": id }),
            "{}",
            f.event_type
        );
    }
}

#[tokio::test]
async fn matter_created_delivered_twice_gives_one_channel_and_messages_move_activity() {
    let app = app().await;
    let firm = FirmId::new();
    let lawyer = user(&app, firm, "LAWYER").await;
    let matter = Uuid::now_v7();
    let event = EventEnvelope::builder("matter.created", EntityRef::new("matter", matter))
        .firm(firm.0)
        .user(Some(lawyer.user_id.0))
        .data(json!({ "id": matter, "firm_id": firm, "title": "Twice", "created_by": lawyer.user_id }))
        .build();
    publish(&app, &event).await;
    publish(&app, &event).await;
    let (channel, _) = default_channel(&app, &lawyer, matter, Duration::from_secs(5))
        .await
        .expect("no channel from the published event");
    // The second delivery has been handled once the queue is empty.
    let env = app.envs.iter().find(|e| e.name == "channels").unwrap();
    let again = lawos_svc_channels::consumer::apply(&env.db, event.clone())
        .await
        .unwrap();
    assert!(!again, "an applied event was applied again");
    assert_eq!(defaults_of(&app, matter).await, 1);

    // message.sent and message.received move lastActivityAt forward, never back.
    let channel_id = id_of(&channel);
    let activity = |when: DateTime<Utc>, kind: &str| {
        let mut e = EventEnvelope::builder(kind, EntityRef::new("message", Uuid::now_v7()))
            .firm(firm.0)
            .data(json!({ "channelId": channel_id, "direction": "INTERNAL" }))
            .build();
        e.occurred_at = when;
        e
    };
    // Microseconds, as PostgreSQL keeps them.
    let micros = |t: DateTime<Utc>| DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap();
    let later = micros(Utc::now() + chrono::Duration::minutes(5));
    publish(&app, &activity(later, "message.sent")).await;
    publish(
        &app,
        &activity(later - chrono::Duration::minutes(10), "message.received"),
    )
    .await;
    let path = format!("/api/v1/channels/{channel_id}");
    let moved = soon(lawos_testkit::broker::PROPAGATE, || async {
        let body =
            lawos_testkit::api::send_ok(app.as_user(reqwest::Method::GET, &path, &lawyer), 200)
                .await;
        body["lastActivityAt"]
            .as_str()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok())
            == Some(later)
    })
    .await;
    assert!(moved, "message.sent did not move lastActivityAt");
    let newer = Utc::now() + chrono::Duration::minutes(1);
    let older = activity(newer, "message.received");
    lawos_svc_channels::consumer::apply(&env.db, older)
        .await
        .unwrap();
    let body =
        lawos_testkit::api::send_ok(app.as_user(reqwest::Method::GET, &path, &lawyer), 200).await;
    assert_eq!(
        body["lastActivityAt"]
            .as_str()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok()),
        Some(later),
        "an older message moved activity back"
    );
    // The list orders by activity: the busy channel comes first.
    internal_channel(&app, &lawyer, "Quiet").await;
    let page = list(&app, &lawyer, "").await;
    assert_eq!(page["data"][0]["id"], json!(channel_id));
}
