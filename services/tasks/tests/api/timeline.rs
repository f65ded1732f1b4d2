//! Assign → complete → `task.completed` in the matter's timeline within a
//! second (filed under the matter by its context, through the events service),
//! and matters' consumer records the matter's last activity once.

use std::time::{Duration, Instant};

use lawos_core::FirmId;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_completed_task_shows_in_its_matters_timeline() {
    let app = app().await;
    lawos_testkit::api::wait_for_queue(&app, "events.events").await;
    lawos_testkit::api::wait_for_queue(&app, "matters.events").await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let colleague = assign(&app, firm, "LAWYER").await;
    let m = matter(&app, &lawyer, "Timeline").await;
    let t = task(
        &app,
        &lawyer,
        json!({ "title": "Serve the papers", "matterId": m }),
    )
    .await;
    let id = id_of(&t);
    send_ok(
        app.as_user(Method::PUT, &format!("/api/v1/tasks/{id}/assign"), &lawyer)
            .json(&json!({ "assigneeUserIds": [colleague.user_id] })),
        200,
    )
    .await;
    send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/tasks/{id}/complete"),
            &colleague,
        ),
        200,
    )
    .await;
    let done = Instant::now();
    let path = format!("/api/v1/matters/{m}/timeline?limit=50");
    let mut found = None;
    while done.elapsed() < lawos_testkit::broker::PROPAGATE {
        let page = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
        found = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["event"]["type"] == "task.completed")
            .cloned();
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let item = found.expect("task.completed never reached the timeline");
    assert_eq!(
        item["event"]["envelope"]["data"]["taskId"],
        json!(id),
        "{item}"
    );
    assert_eq!(
        item["event"]["envelope"]["data"]["completedBy"],
        json!(colleague.user_id)
    );
    assert_eq!(
        item["event"]["envelope"]["data"]["assigneeUserIds"],
        json!([colleague.user_id])
    );
    // The assignment is in the timeline too.
    let page = send_ok(app.as_user(Method::GET, &path, &lawyer), 200).await;
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["event"]["type"] == "assignment.created")
    );
    // matters recorded the activity, once.
    let seen = lawos_testkit::broker::eventually(lawos_testkit::broker::PROPAGATE, || async {
        activity(&app, m).await.is_some()
    })
    .await;
    assert!(seen, "matters did not record the activity");
    let (kind, count) = activity(&app, m).await.unwrap();
    assert_eq!((kind.as_str(), count), ("task.completed", 1));
}

/// The matter's recorded last activity type and how many inbox rows matters' consumer holds.
async fn activity(app: &lawos_testkit::TestApp, matter: uuid::Uuid) -> Option<(String, i64)> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_event_type: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = lawos_testkit::api::owner_connection(app).await;
    diesel::sql_query(
        "select a.last_event_type, (select count(*) from matters.inbox where consumer = 'matters.activity') as n \
         from matters.matter_activity a where a.matter_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(matter)
    .get_result::<Row>(&mut conn)
    .await
    .ok()
    .map(|r| (r.last_event_type, r.n))
}
