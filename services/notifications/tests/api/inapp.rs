//! In-app notifications: who receives a stage change, a wall added later,
//! reading, mark-all-read over 10,000, validation, refusals and isolation, and
//! events arriving in batches (two firms, a duplicate) each applied once.

use std::time::{Duration, Instant};

use lawos_core::FirmId;
use lawos_testkit::TestUser;
use lawos_testkit::api::{assign, code, fields, send, send_ok};
use lawos_testkit::broker::{PROPAGATE, eventually};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::{self, SETTLE, ws};

#[tokio::test]
async fn a_stage_change_reaches_every_members_list_and_socket_not_the_actors() {
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER", "LAWYER", "PARALEGAL"]).await;
    // Someone of another firm on the team: rbac gives them nothing in this firm.
    let stranger = assign(&app, FirmId::new(), "LAWYER").await;
    common::add_member_unchecked(&app, &t.actor, t.matter, &stranger).await;
    let mut sockets = Vec::new();
    for m in &t.members {
        sockets.push(ws::open_ready(&app.base_url, &app.token(m)).await);
    }
    let mut actor_socket = ws::open_ready(&app.base_url, &app.token(&t.actor)).await;
    let mut stranger_socket = ws::open_ready(&app.base_url, &app.token(&stranger)).await;

    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    for socket in &mut sockets {
        let frame = ws::next_notice(socket, "matter.stage_changed", PROPAGATE)
            .await
            .expect("a member's socket heard of the stage change");
        assert_eq!(frame["notification"]["type"], "matter.stage_changed");
        assert_eq!(frame["notification"]["resourceType"], "MATTER");
        assert_eq!(frame["notification"]["resourceId"], json!(t.matter));
        assert_eq!(
            frame["notification"]["data"],
            json!({ "from": "OPEN", "to": "IN_PROGRESS" })
        );
        assert!(frame["unreadCount"].as_i64().unwrap() >= 1);
    }
    for m in &t.members {
        let listed = common::stage_notices(&app, m).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["actorUserId"], json!(t.actor.user_id));
        assert_eq!(listed[0]["read"], false);
    }
    // Not the actor, not the other firm's member (list or socket).
    assert!(
        ws::next_notice(
            &mut actor_socket,
            "matter.stage_changed",
            Duration::from_millis(500)
        )
        .await
        .is_none()
    );
    assert!(
        ws::next_of(
            &mut stranger_socket,
            "notification.created",
            Duration::from_millis(100)
        )
        .await
        .is_none()
    );
    assert!(common::stage_notices(&app, &t.actor).await.is_empty());
    assert!(common::list(&app, &stranger, "").await.is_empty());
}

#[tokio::test]
async fn a_user_walled_off_the_matter_after_the_event_no_longer_sees_it() {
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
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
    let before = common::unread(&app, lawyer).await;

    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/rbac/resources/MATTER/{}/grants", t.matter),
            &lawos_testkit::api::firm_admin(t.firm),
        )
        .json(&json!({ "userId": lawyer.user_id, "action": "DENY", "reason": "ethical wall" })),
        201,
    )
    .await;
    let hidden = eventually(SETTLE, || async {
        common::stage_notices(&app, lawyer).await.is_empty()
    })
    .await;
    assert!(hidden, "the wall did not hide the notification");
    // Both of its notifications are about the matter (joining it, its stage).
    assert_eq!(before, 2);
    assert_eq!(common::unread(&app, lawyer).await, 0);
    let (status, body) =
        send(app.as_user(Method::GET, &format!("/api/v1/notifications/{id}"), lawyer)).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, _) = send(app.as_user(
        Method::POST,
        &format!("/api/v1/notifications/{id}/read"),
        lawyer,
    ))
    .await;
    assert_eq!(status, 404);

    // Nor is anything new about it delivered.
    common::move_stage(&app, &t.actor, t.matter, "CLOSED").await;
    assert!(lawos_testkit::api::outbox_drains(&app, "matters").await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(common::stage_notices(&app, lawyer).await.is_empty());
}

#[tokio::test]
async fn reading_one_then_all_is_idempotent_and_counts_follow() {
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
    common::move_stage(&app, &t.actor, t.matter, "IN_PROGRESS").await;
    common::move_stage(&app, &t.actor, t.matter, "CLOSED").await;
    assert!(
        eventually(SETTLE, || async {
            common::stage_notices(&app, lawyer).await.len() == 2
        })
        .await
    );
    let mut socket = ws::open_ready(&app.base_url, &app.token(lawyer)).await;
    // member_added and two stage changes.
    assert_eq!(common::unread(&app, lawyer).await, 3);
    let newest = common::stage_notices(&app, lawyer).await;
    assert_eq!(newest[0]["data"]["to"], "CLOSED", "newest first");
    let id = newest[0]["id"].as_str().unwrap();
    let read = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/notifications/{id}/read"),
            lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(read["read"], true);
    let again = send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/notifications/{id}/read"),
            lawyer,
        ),
        200,
    )
    .await;
    assert_eq!(again["readAt"], read["readAt"]);
    let frame = ws::next_of(&mut socket, "unread_count", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(frame["unreadCount"], 2);
    let unread_only = common::list(&app, lawyer, "?unread=true").await;
    assert_eq!(unread_only.len(), 2);

    let all = send_ok(
        app.as_user(Method::POST, "/api/v1/notifications/mark-all-read", lawyer),
        200,
    )
    .await;
    assert_eq!(all, json!({ "marked": 2, "unreadCount": 0 }));
    let frame = ws::next_of(&mut socket, "unread_count", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(frame["unreadCount"], 0);
    let again = send_ok(
        app.as_user(Method::POST, "/api/v1/notifications/mark-all-read", lawyer),
        200,
    )
    .await;
    assert_eq!(again, json!({ "marked": 0, "unreadCount": 0 }));

    // Pages: one at a time, by cursor.
    let page = send_ok(
        app.as_user(Method::GET, "/api/v1/notifications/?limit=1", lawyer),
        200,
    )
    .await;
    assert_eq!(page["pagination"]["total"], 3);
    let next = page["pagination"]["nextCursor"].as_str().unwrap();
    let page2 = send_ok(
        app.as_user(
            Method::GET,
            &format!("/api/v1/notifications/?limit=1&cursor={next}"),
            lawyer,
        ),
        200,
    )
    .await;
    assert_ne!(page2["data"][0]["id"], page["data"][0]["id"]);
}

#[tokio::test]
async fn mark_all_read_over_ten_thousand_unread_is_one_statement_and_leaves_none() {
    let app = common::app().await;
    let firm = FirmId::new();
    let lawyer = assign(&app, firm, "LAWYER").await;
    let mut conn = lawos_testkit::api::owner_connection(&app).await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query(
        "insert into notifications.notifications \
           (id, firm_id, user_id, type, title, body, resource_type, resource_id, event_id, expires_at) \
         select gen_random_uuid(), $1, $2, 'task.completed', 'Task completed: ' || i, 'done', 'TASK', \
                gen_random_uuid(), gen_random_uuid(), now() + interval '30 days' \
         from generate_series(1, 10000) as i",
    )
    .bind::<diesel::sql_types::Uuid, _>(firm.0)
    .bind::<diesel::sql_types::Uuid, _>(lawyer.user_id.0)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query("analyze notifications.notifications")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(common::unread(&app, &lawyer).await, 10_000);
    let started = Instant::now();
    let all = send_ok(
        app.as_user(Method::POST, "/api/v1/notifications/mark-all-read", &lawyer),
        200,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(all, json!({ "marked": 10_000, "unreadCount": 0 }));
    assert_eq!(common::unread(&app, &lawyer).await, 0);
    eprintln!("mark-all-read of 10000: {took:?}");
}

#[tokio::test]
async fn bad_parameters_are_named_roles_without_the_scope_are_refused_and_other_firms_see_nothing()
{
    let app = common::app().await;
    let t = common::team(&app, &["LAWYER"]).await;
    let lawyer = &t.members[0];
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

    let (status, body) = send(app.as_user(
        Method::GET,
        "/api/v1/notifications/?limit=0&type=nope&cursor=zzz",
        lawyer,
    ))
    .await;
    assert_eq!(status, 422, "{body}");
    let mut named = fields(&body);
    named.sort();
    assert_eq!(named, ["cursor", "limit", "type"]);
    let (status, body) =
        send(app.as_user(Method::GET, "/api/v1/notifications/?colour=red", lawyer)).await;
    assert!(matches!(status, 400 | 422), "{status} {body}");

    // CLIENT holds no notifications:read; PARTNER_ATTORNEY reads but may not mark read.
    let client = assign(&app, t.firm, "CLIENT").await;
    let (status, body) = send(app.as_user(Method::GET, "/api/v1/notifications/", &client)).await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let partner = assign(&app, t.firm, "PARTNER_ATTORNEY").await;
    send_ok(
        app.as_user(Method::GET, "/api/v1/notifications/unread-count", &partner),
        200,
    )
    .await;
    let (status, body) = send(app.as_user(
        Method::POST,
        "/api/v1/notifications/mark-all-read",
        &partner,
    ))
    .await;
    assert_eq!((status, code(&body)), (403, "PERMISSION_DENIED"));
    let (status, _) = send(
        app.as_user(Method::PUT, "/api/v1/notifications/preferences", &partner)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 403);

    // Another firm: nothing listed, 404 by id.
    let other = assign(&app, FirmId::new(), "LAWYER").await;
    assert!(common::list(&app, &other, "").await.is_empty());
    assert_eq!(common::unread(&app, &other).await, 0);
    for (method, path) in [
        (Method::GET, format!("/api/v1/notifications/{id}")),
        (Method::POST, format!("/api/v1/notifications/{id}/read")),
        (
            Method::GET,
            format!("/api/v1/notifications/{id}/deliveries"),
        ),
        (
            Method::GET,
            format!("/api/v1/notifications/{}", Uuid::now_v7()),
        ),
    ] {
        let (status, body) = send(app.as_user(method, &path, &other)).await;
        assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{path}");
    }
    // Nor another member of the same firm.
    let colleague = assign(&app, t.firm, "LAWYER").await;
    let (status, _) = send(app.as_user(
        Method::GET,
        &format!("/api/v1/notifications/{id}"),
        &colleague,
    ))
    .await;
    assert_eq!(status, 404);
    // A service token speaks for no user.
    let _ = TestUser::system_admin();
}

#[tokio::test]
async fn a_burst_of_messages_in_one_channel_is_one_notification_with_a_count() {
    let app = common::app().await;
    let firm = FirmId::new();
    let sender = assign(&app, firm, "LAWYER").await;
    let reader = assign(&app, firm, "LAWYER").await;
    let channel = Uuid::now_v7();
    for _ in 0..10 {
        let event = lawos_events::EventEnvelope::builder("message.sent", lawos_events::EntityRef::new("message", Uuid::now_v7()))
            .firm(firm.0)
            .user(Some(sender.user_id.0))
            .data(json!({
                "messageId": Uuid::now_v7(), "channelId": channel, "contextType": "contact", "contextId": Uuid::now_v7(),
                "direction": "INTERNAL", "kind": "TEXT", "senderUserId": sender.user_id,
                "participantUserIds": [sender.user_id, reader.user_id]
            }))
            .build();
        common::publish(&app, &event).await;
    }
    let gathered = eventually(SETTLE, || async {
        let l = common::list(&app, &reader, "?type=message.sent").await;
        l.len() == 1 && l[0]["count"] == 10
    })
    .await;
    let l = common::list(&app, &reader, "?type=message.sent").await;
    assert!(gathered, "{l:?}");
    assert_eq!(l[0]["title"], "10 new messages");
    assert_eq!(l[0]["resourceType"], "CHANNEL");
    assert!(
        common::list(&app, &sender, "?type=message.sent")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_payment_reaches_the_firms_billing_roles_through_rbac_but_not_the_recorder() {
    let app = common::app().await;
    let firm = FirmId::new();
    let recorder = assign(&app, firm, "STAFF").await;
    let billing = assign(&app, firm, "STAFF").await;
    let lawyer = assign(&app, firm, "LAWYER").await;
    // rbac answers services only, and names the scope's holders.
    let path = format!(
        "/api/v1/rbac/firms/{}/scope-holders?scope=invoices:update",
        firm.0
    );
    let (status, _) = send(app.as_user(Method::GET, &path, &lawyer)).await;
    assert_eq!(status, 403);
    let event = lawos_events::EventEnvelope::builder("payment.received", lawos_events::EntityRef::new("payment", Uuid::now_v7()))
        .firm(firm.0)
        .user(Some(recorder.user_id.0))
        .data(json!({
            "paymentId": Uuid::now_v7(), "clientId": Uuid::now_v7(), "matterIds": [], "invoiceIds": [Uuid::now_v7()],
            "amountMinor": 125_050, "currency": "EUR", "recordedBy": recorder.user_id
        }))
        .build();
    common::publish(&app, &event).await;
    let got = eventually(SETTLE, || async {
        common::list(&app, &billing, "?type=payment.received")
            .await
            .len()
            == 1
    })
    .await;
    assert!(got, "the billing role was not told");
    let n = common::list(&app, &billing, "?type=payment.received")
        .await
        .remove(0);
    assert_eq!(n["title"], "Payment received: 1250.50 EUR");
    // LAWYER holds no invoices:update; the recorder is the actor.
    assert!(
        common::list(&app, &lawyer, "?type=payment.received")
            .await
            .is_empty()
    );
    assert!(
        common::list(&app, &recorder, "?type=payment.received")
            .await
            .is_empty()
    );
}

fn task_completed(firm: FirmId, assignee: &TestUser, i: usize) -> lawos_events::EventEnvelope {
    let task = Uuid::now_v7();
    lawos_events::EventEnvelope::builder(
        "task.completed",
        lawos_events::EntityRef::new("task", task),
    )
    .firm(firm.0)
    .data(json!({
        "taskId": task, "matterId": null, "title": format!("Batch task {i}"),
        "completedBy": null, "createdBy": null, "assigneeUserIds": [assignee.user_id]
    }))
    .build()
}

#[tokio::test]
async fn events_of_two_firms_in_one_batch_each_become_one_notification_even_when_delivered_twice() {
    let app = common::app().await;
    let (firm, other) = (FirmId::new(), FirmId::new());
    let mut people = Vec::new();
    for _ in 0..3 {
        people.push(assign(&app, firm, "LAWYER").await);
    }
    let outsider = assign(&app, other, "LAWYER").await;
    let mut sock = ws::open_ready(&app.base_url, &app.token(&people[0])).await;
    let mut events = Vec::new();
    for i in 0..30 {
        events.push(task_completed(firm, &people[i % 3], i));
        if i % 5 == 0 {
            events.push(task_completed(other, &outsider, i));
        }
    }
    // A redelivered event (same id) is applied once.
    events.push(events[0].clone());
    events.push(events[7].clone());
    common::publish_all(&app, &events).await;

    let all = eventually(SETTLE, || async {
        let mut n = 0;
        for p in &people {
            n += common::list(&app, p, "?type=task.completed&limit=100")
                .await
                .len();
        }
        n == 30
    })
    .await;
    assert!(all, "not every event became a notification");
    for p in &people {
        let mine = common::list(&app, p, "?type=task.completed&limit=100").await;
        assert_eq!(mine.len(), 10, "each of the firm's people has their ten");
        assert_eq!(common::unread(&app, p).await, 10);
    }
    let theirs = eventually(SETTLE, || async {
        common::list(&app, &outsider, "?type=task.completed")
            .await
            .len()
            == 6
    })
    .await;
    assert!(theirs);
    assert_eq!(common::unread(&app, &outsider).await, 6);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        common::list(&app, &people[0], "?type=task.completed&limit=100")
            .await
            .len(),
        10
    );

    // The socket heard each of its user's ten once, the last with the count of ten.
    let mut created = Vec::new();
    let deadline = Instant::now() + SETTLE;
    while created.len() < 10 && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        match ws::next_notice(&mut sock, "task.completed", left).await {
            Some(frame) => created.push(frame),
            None => break,
        }
    }
    assert_eq!(created.len(), 10, "{created:?}");
    assert_eq!(created.last().unwrap()["unreadCount"], 10);
    assert!(
        ws::next_notice(&mut sock, "task.completed", Duration::from_millis(500))
            .await
            .is_none(),
        "a notice was pushed twice"
    );
}
