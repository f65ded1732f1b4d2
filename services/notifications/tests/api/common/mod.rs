//! The app (rbac, matters, notifications) with settings of the test's own, and
//! helpers: users with roles, matters with teams, events published by hand,
//! sockets, an SMTP server.
#![allow(dead_code)]

pub mod smtp;
pub mod ws;

use std::path::PathBuf;
use std::time::Duration;

use lawos_core::FirmId;
use lawos_events::{EntityRef, EventEnvelope};
use lawos_svc_notifications::NotifyState;
use lawos_svc_notifications::config::{NotifyConfig, set_for_prefix};
use lawos_testkit::api::{assign, send, send_ok};
use lawos_testkit::broker::eventually;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

pub const SETTLE: Duration = Duration::from_secs(10);

/// Settings for tests: quick retries and heartbeats, mail in a folder of the test's own.
pub fn config() -> NotifyConfig {
    NotifyConfig {
        ttl: Duration::from_secs(90 * 86_400),
        group_window: Duration::from_secs(60),
        cleanup_every: Duration::from_secs(3600),
        heartbeat: Duration::from_secs(1),
        client_timeout: Duration::from_secs(30),
        ticket_ttl: Duration::from_secs(30),
        smtp_url: None,
        smtp_timeout: Duration::from_secs(2),
        mail_dir: temp_dir("mail"),
        mail_from: "LawOS <notifications@lawos.test>".to_owned(),
        retry_base: Duration::from_millis(300),
        max_attempts: 50,
        poll: Duration::from_millis(200),
        digest_tick: Duration::from_secs(3600),
        sms: None,
    }
}

pub fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lawos-notifications-{what}-{}",
        Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn state(app: &TestApp) -> std::sync::Arc<NotifyState> {
    let env = app.envs.iter().find(|e| e.name == "notifications").unwrap();
    NotifyState::shared(env)
}

/// rbac, matters and notifications with events flowing, once every consumer
/// and subscription is up.
pub async fn app_with(config: NotifyConfig) -> TestApp {
    let prefix = format!("test:{}", Uuid::now_v7().simple());
    set_for_prefix(&prefix, config);
    let p = prefix.clone();
    let app = TestApp::spawn_with_events_and(
        &[
            lawos_svc_rbac::SPEC,
            lawos_svc_matters::SPEC,
            lawos_svc_notifications::SPEC,
        ],
        move |c| c.redis_prefix = p,
    )
    .await;
    ready(&app).await;
    app
}

pub async fn app() -> TestApp {
    app_with(config()).await
}

pub async fn ready(app: &TestApp) {
    lawos_testkit::api::wait_for_queue(app, "rbac.events").await;
    lawos_testkit::api::wait_for_queue(app, "notifications.events").await;
    let up = eventually(SETTLE, || async {
        let s = state(app);
        s.live.subscriptions() >= 1 && s.authz.stats().sessions >= 1
    })
    .await;
    assert!(
        up,
        "the live channel or the invalidation subscription did not start"
    );
}

/// A firm with a lawyer (who will act) and the given members' roles.
pub struct Team {
    pub firm: FirmId,
    pub actor: TestUser,
    pub members: Vec<TestUser>,
    pub matter: Uuid,
}

/// A matter of a new firm, created by a LAWYER, with members holding `roles`
/// in rbac and on the matter's team, once rbac knows the memberships.
pub async fn team(app: &TestApp, roles: &[&str]) -> Team {
    let firm = FirmId::new();
    let actor = assign(app, firm, "LAWYER").await;
    let matter = send_ok(
        app.as_user(Method::POST, "/api/v1/matters/", &actor)
            .json(&json!({ "title": "Estate of A. Example", "matterType": "CIVIL" })),
        201,
    )
    .await;
    let matter = lawos_testkit::api::id_of(&matter);
    let mut members = Vec::new();
    for role in roles {
        let user = assign(app, firm, role).await;
        add_member(app, &actor, matter, &user).await;
        members.push(user);
    }
    Team {
        firm,
        actor,
        members,
        matter,
    }
}

pub async fn add_member(app: &TestApp, actor: &TestUser, matter: Uuid, user: &TestUser) {
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{matter}/members"),
            actor,
        )
        .json(&json!({ "userId": user.user_id, "role": "ASSOCIATE" })),
        201,
    )
    .await;
    // rbac's projection of the membership (assigned reach depends on it).
    let firm = user.firm_id.unwrap();
    let path = format!(
        "/api/v1/rbac/firms/{firm}/users/{}/capabilities",
        user.user_id
    );
    let known = eventually(SETTLE, || async {
        let (_, caps) = send(app.as_user(Method::GET, &path, user)).await;
        caps["matterIds"]
            .as_array()
            .is_some_and(|m| m.iter().any(|v| v == &json!(matter)))
    })
    .await;
    assert!(known, "rbac did not project the membership");
}

pub async fn move_stage(app: &TestApp, actor: &TestUser, matter: Uuid, to: &str) {
    send_ok(
        app.as_user(
            Method::PUT,
            &format!("/api/v1/matters/{matter}/stage"),
            actor,
        )
        .json(&json!({ "stage": to })),
        200,
    )
    .await;
}

/// `user`'s notifications (of `kind`, when given).
pub async fn list(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    let body = send_ok(
        app.as_user(Method::GET, &format!("/api/v1/notifications/{query}"), user),
        200,
    )
    .await;
    body["data"].as_array().cloned().unwrap_or_default()
}

pub async fn stage_notices(app: &TestApp, user: &TestUser) -> Vec<Value> {
    list(app, user, "?type=matter.stage_changed").await
}

pub async fn unread(app: &TestApp, user: &TestUser) -> i64 {
    let body = send_ok(
        app.as_user(Method::GET, "/api/v1/notifications/unread-count", user),
        200,
    )
    .await;
    body["unreadCount"].as_i64().unwrap()
}

/// Publishes `event` on the app's exchange (as a producer's relay would).
pub async fn publish(app: &TestApp, event: &EventEnvelope) {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    let url = app.vhost.as_ref().unwrap().amqp_url();
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    ch.basic_publish(
        lawos_events::EXCHANGE.into(),
        event.event_type.as_str().into(),
        BasicPublishOptions::default(),
        &serde_json::to_vec(event).unwrap(),
        lapin::BasicProperties::default().with_delivery_mode(2),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let _ = conn.close(0, "done".into()).await;
}

/// Publishes `events` back to back on one channel (the consumer takes them
/// in batches), then waits for the broker's confirms.
pub async fn publish_all(app: &TestApp, events: &[EventEnvelope]) {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    let url = app.vhost.as_ref().unwrap().amqp_url();
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let mut confirms = Vec::new();
    for event in events {
        confirms.push(
            ch.basic_publish(
                lawos_events::EXCHANGE.into(),
                event.event_type.as_str().into(),
                BasicPublishOptions::default(),
                &serde_json::to_vec(event).unwrap(),
                lapin::BasicProperties::default().with_delivery_mode(2),
            )
            .await
            .unwrap(),
        );
    }
    for confirm in confirms {
        confirm.await.unwrap();
    }
    let _ = conn.close(0, "done".into()).await;
}

/// `user.created` for `user` with `email`, as auth's trigger writes it.
pub async fn directory_user(app: &TestApp, user: &TestUser, email: &str) {
    let id = user.user_id.0;
    let event = EventEnvelope::builder("user.created", EntityRef::new("user", id))
        .data(json!({ "id": id, "email": email, "full_name": "Test Person", "is_active": true, "deleted_at": null }))
        .build();
    publish(app, &event).await;
    let s = state(app);
    let known = eventually(SETTLE, || async {
        let mut conn = lawos_testkit::api::owner_connection(app).await;
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "select count(*) as n from notifications.directory_users where user_id = $1",
        )
        .bind::<diesel::sql_types::Uuid, _>(id)
        .get_result::<N>(&mut conn)
        .await
        .map(|r| r.n == 1)
        .unwrap_or(false)
    })
    .await;
    drop(s);
    assert!(known, "the directory did not take the user in");
}

/// Counts rows of the owner's `sql` (a `select count(*) as n …` with one uuid `$1`).
pub async fn count_rows(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = lawos_testkit::api::owner_connection(app).await;
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .get_result::<N>(&mut conn)
        .await
        .map(|r| r.n)
        .unwrap_or(-1)
}

/// `firm_user_profile.created` for `user` in their firm with `phone`, as
/// auth's trigger writes it, once the directory has it.
pub async fn directory_profile(app: &TestApp, user: &TestUser, phone: Option<&str>) {
    let (firm, id) = (user.firm_id.unwrap().0, user.user_id.0);
    let event = EventEnvelope::builder("firm_user_profile.created", EntityRef::new("firm_user_profile", id))
        .firm(firm)
        .data(json!({ "firm_id": firm, "user_id": id, "phone": phone, "role": "LAWYER", "is_active": true, "deleted_at": null }))
        .build();
    publish(app, &event).await;
    let known = eventually(SETTLE, || async {
        count_rows(
            app,
            "select count(*) as n from notifications.directory_members where user_id = $1",
            id,
        )
        .await
            == 1
    })
    .await;
    assert!(known, "the directory did not take the profile in");
}

/// Adds `user` to the team without waiting for rbac (a user of another firm
/// gets no access from it).
pub async fn add_member_unchecked(app: &TestApp, actor: &TestUser, matter: Uuid, user: &TestUser) {
    send_ok(
        app.as_user(
            Method::POST,
            &format!("/api/v1/matters/{matter}/members"),
            actor,
        )
        .json(&json!({ "userId": user.user_id, "role": "ASSOCIATE" })),
        201,
    )
    .await;
}

/// The deliveries of `user`'s notification `id`.
pub async fn deliveries(app: &TestApp, user: &TestUser, id: &str) -> Vec<Value> {
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

/// Sets `user`'s own choices (replacing the earlier ones).
pub async fn choose(app: &TestApp, user: &TestUser, channels: Value) {
    send_ok(
        app.as_user(Method::PUT, "/api/v1/notifications/preferences", user)
            .json(&json!({ "channels": channels })),
        200,
    )
    .await;
}
