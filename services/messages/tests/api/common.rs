//! The messages service under test beside the real rbac service (roles given
//! through rbac), with the channels stand-in, a wiremock Telnyx, and (as a
//! test needs them) contacts, matters, auth and events, events flowing
//! through a RabbitMQ vhost of the test's own.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use lawos_core::FirmId;
use lawos_http::Mount;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, Worker, start_workers};
use lawos_svc_messages::MessagesConfig;
use lawos_svc_messages::sms::config::Outbound;
use lawos_testkit::broker::{TestVhost, eventually};
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::MockServer;

use crate::channels_stub::ChannelsStub;

pub use lawos_testkit::api::{assign, code, fields, id_of, send, send_ok};

/// The Telnyx test key pair's secret half (the public half is configured).
pub const TELNYX_SECRET: [u8; 32] = [42; 32];
pub const PROFILE: &str = "profile-test-1";
pub const API_KEY: &str = "KEY-test";

/// Each test's messages settings, by its Redis prefix (unique per test).
static CONFIGS: LazyLock<Mutex<HashMap<String, MessagesConfig>>> = LazyLock::new(Mutex::default);

fn config_of(env: &ServiceEnv) -> MessagesConfig {
    CONFIGS
        .lock()
        .unwrap()
        .get(&env.config.redis_prefix)
        .cloned()
        .expect("messages settings for this test")
}

fn mount(env: &ServiceEnv) -> Mount {
    lawos_svc_messages::mount_with(env, config_of(env))
}

fn workers(env: &ServiceEnv) -> Vec<Worker> {
    lawos_svc_messages::workers_with(env, config_of(env))
}

/// The messages service with the test's settings.
pub const MESSAGES: ServiceSpec = ServiceSpec {
    mount,
    workers,
    ..lawos_svc_messages::SPEC
};

/// What a test runs beside messages and rbac.
#[derive(Debug, Clone, Copy, Default)]
pub struct With {
    pub contacts: bool,
    pub matters: bool,
    pub auth: bool,
    pub events: bool,
    /// Telnyx sending (API key, profile) configured.
    pub sending: bool,
    /// The webhook public key configured.
    pub webhook: bool,
    /// The real channels service (with contacts and matters) instead of the stand-in.
    pub real_channels: bool,
}

pub struct Env {
    /// Dropped first: stops the relays and workers.
    stop: tokio::sync::watch::Sender<bool>,
    pub app: TestApp,
    pub channels: ChannelsStub,
    pub telnyx: MockServer,
    /// Stands in for documents, tasks and billing (the owners of what comments are about).
    pub owners: MockServer,
}

/// The services of `with`, events flowing, once messages' invalidation
/// subscription is up and rbac's queue is bound.
pub async fn spawn(with: With) -> Env {
    if std::env::var("LAWOS_TEST_LOG").is_ok() {
        let _ = Box::leak(Box::new(lawos_telemetry::init("messages-test")));
    }
    let channels = ChannelsStub::start().await;
    let telnyx = MockServer::start().await;
    let owners = MockServer::start().await;
    let mut specs = vec![lawos_svc_rbac::SPEC];
    if with.auth {
        specs.push(lawos_svc_auth::SPEC);
    }
    if with.events {
        specs.push(lawos_svc_events::SPEC);
    }
    if with.contacts || with.real_channels {
        specs.push(lawos_svc_contacts::SPEC);
    }
    if with.matters || with.real_channels {
        specs.push(lawos_svc_matters::SPEC);
    }
    if with.real_channels {
        specs.push(lawos_svc_channels::SPEC);
    }
    specs.push(MESSAGES);
    let vhost = TestVhost::create().await;
    let (amqp, channels_url, telnyx_url) = (vhost.amqp_url(), channels.server.uri(), telnyx.uri());
    let owners_url = owners.uri();
    let prefix = format!("test:{}", Uuid::now_v7().simple());
    let mut app = TestApp::spawn_with(&specs, move |c| {
        c.amqp_url = amqp;
        if !with.real_channels {
            c.channels_url = channels_url;
        }
        c.documents_url = owners_url.clone();
        c.tasks_url = owners_url.clone();
        c.billing_url = owners_url;
        c.redis_prefix = prefix.clone();
        let mut config = MessagesConfig::for_tests(&c.tenants_url, &telnyx_url);
        if with.sending {
            config.sms.outbound = Some(Outbound {
                api_key: API_KEY.to_owned(),
                profile_id: PROFILE.to_owned(),
            });
        }
        if with.webhook {
            config.sms.public_key = Some(lawos_telnyx::PublicKey::of_secret(&TELNYX_SECRET));
        }
        CONFIGS.lock().unwrap().insert(prefix, config);
    })
    .await;
    let (stop, shutdown) = Shutdown::new();
    for (spec, env) in specs.iter().zip(&app.envs) {
        start_workers(spec, env, &shutdown).unwrap();
    }
    app.vhost = Some(vhost);
    let env = Env {
        stop,
        app,
        channels,
        telnyx,
        owners,
    };
    let up = eventually(Duration::from_secs(10), || async {
        lawos_authz::Authz::for_service(env.messages_env())
            .stats()
            .sessions
            >= 1
    })
    .await;
    assert!(up, "the messages invalidation subscription did not start");
    lawos_testkit::api::wait_for_queue(&env.app, "rbac.events").await;
    if with.real_channels {
        lawos_testkit::api::wait_for_queue(&env.app, "channels.events").await;
    }
    env
}

impl Env {
    pub fn messages_env(&self) -> &ServiceEnv {
        self.app.envs.iter().find(|e| e.name == "messages").unwrap()
    }

    pub fn authz(&self) -> lawos_authz::Authz {
        lawos_authz::Authz::for_service(self.messages_env())
    }

    /// A user of `firm` holding `role`, once the assignment's
    /// `permission.changed` has reached messages.
    pub async fn member(&self, firm: FirmId, role: &str) -> TestUser {
        let seen = self.authz().stats().invalidations;
        let user = assign(&self.app, firm, role).await;
        let applied = eventually(lawos_testkit::broker::PROPAGATE, || async {
            self.authz().stats().invalidations > seen
        })
        .await;
        assert!(
            applied,
            "the assignment's permission.changed did not arrive"
        );
        user
    }

    pub fn req(&self, m: Method, path: &str, user: &TestUser) -> reqwest::RequestBuilder {
        self.app.as_user(m, path, user)
    }

    /// Writes `body` in `channel` as `user`; the answer.
    pub async fn send(&self, user: &TestUser, channel: Uuid, body: &str) -> (u16, Value) {
        send(
            self.req(Method::POST, "/api/v1/messages/", user)
                .json(&json!({ "channelId": channel, "body": body })),
        )
        .await
    }

    /// An ethical wall: `user` may not see `matter` (a DENY grant at rbac).
    pub async fn wall(&self, firm: FirmId, matter: Uuid, user: &TestUser) {
        let seen = self.authz().stats().invalidations;
        send_ok(
            self.req(
                Method::POST,
                &format!("/api/v1/rbac/resources/MATTER/{matter}/grants"),
                &lawos_testkit::api::firm_admin(firm),
            )
            .json(&json!({ "userId": user.user_id, "action": "DENY", "reason": "ethical wall" })),
            201,
        )
        .await;
        let applied = eventually(lawos_testkit::broker::PROPAGATE, || async {
            self.authz().stats().invalidations > seen
        })
        .await;
        assert!(applied, "the wall's permission.changed did not arrive");
    }

    pub async fn owner(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.app.db.admin_url())
            .await
            .unwrap()
    }

    pub async fn sql(&self, sql: &str) {
        self.owner().await.batch_execute(sql).await.unwrap();
    }

    /// The messages outbox rows of `event_type`, oldest first.
    pub async fn outbox(&self, event_type: &str) -> Vec<Value> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Jsonb)]
            payload: Value,
        }
        let rows: Vec<Row> = diesel::sql_query(
            "select payload from messages.outbox where event_type = $1 order by seq",
        )
        .bind::<Text, _>(event_type)
        .load(&mut self.owner().await)
        .await
        .unwrap();
        rows.into_iter().map(|r| r.payload).collect()
    }

    /// How many rows of `table` (messages schema) belong to `firm`, read as the owner.
    pub async fn count(&self, table: &str, firm: Uuid) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let n: N = diesel::sql_query(format!(
            "select count(*) as n from messages.{table} where firm_id = $1"
        ))
        .bind::<SqlUuid, _>(firm)
        .get_result(&mut self.owner().await)
        .await
        .unwrap();
        n.n
    }

    /// `user` as an active member of `firm` in auth's directory (auth runs in the app).
    pub async fn directory(&self, firm: FirmId, user: &TestUser, name: &str) {
        let id = user.user_id.0;
        let role = <[String]>::first(&user.roles).cloned().unwrap_or_default();
        self.sql(&format!(
            "insert into auth.users (id, issuer, subject, email, full_name, is_active, created_at, updated_at) \
             values ('{id}', 'https://auth.lawos.test', '{id}', '{id}@firm.example', '{name}', true, now(), now()); \
             insert into auth.firm_user_profiles (firm_id, user_id, role, is_lawyer, preferences, is_active, created_at, updated_at) \
             values ('{}', '{id}', '{role}', false, '{{}}', true, now(), now());",
            firm.0
        ))
        .await;
    }

    /// The default channel of matter `id` at the real channels service, once
    /// `matter.created` has made it.
    pub async fn default_channel(&self, user: &TestUser, matter: Uuid) -> Value {
        let path = format!("/api/v1/channels/?context_type=MATTER&context_id={matter}");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let page = send_ok(self.req(Method::GET, &path, user), 200).await;
            if let Some(found) = page["data"].get(0).filter(|f| f.is_object()) {
                return found.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "matter {matter} never got its channel"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Creates a matter as `user` at matters; its id.
    pub async fn matter(&self, user: &TestUser, title: &str) -> Uuid {
        id_of(
            &send_ok(
                self.req(Method::POST, "/api/v1/matters/", user).json(
                    &json!({ "title": title, "matterType": "CIVIL", "practiceArea": "Personal Injury" }),
                ),
                201,
            )
            .await,
        )
    }
}
