//! Services started in-process on port 0 against a fresh database.

use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};
use lawos_http::config::PlatformConfig;
use lawos_http::runtime::{ServiceEnv, ServiceSpec, Shutdown, app_settings, start_workers};
use std::net::TcpListener;
use std::sync::Arc;

use crate::broker::TestVhost;
use crate::tokens::{TestIssuer, TestUser};

/// A running set of services. Dropping it stops the server and drops the database.
pub struct TestApp {
    pub base_url: String,
    pub issuer: TestIssuer,
    pub http: reqwest::Client,
    pub envs: Vec<ServiceEnv>,
    pub config: Arc<PlatformConfig>,
    server: actix_web::dev::ServerHandle,
    stop_workers: tokio::sync::watch::Sender<bool>,
    // Declared last: dropped after the server and workers stop.
    pub vhost: Option<TestVhost>,
    pub db: TestDatabase,
}

/// Platform settings pointing at `db`, with a Redis prefix unique to the test.
pub fn test_config(db: &TestDatabase) -> PlatformConfig {
    PlatformConfig {
        database_url: db.admin_url(),
        db_app_password: DEV_APP_PASSWORD.to_owned(),
        db_pool_size: 4,
        redis_url: std::env::var("LAWOS_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned()),
        redis_prefix: format!("test:{}", uuid::Uuid::now_v7().simple()),
        amqp_url: std::env::var("LAWOS_TEST_AMQP_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
        jwt_issuer: crate::tokens::ISSUER.to_owned(),
        jwt_audience: crate::tokens::AUDIENCE.to_owned(),
        jwks_url: String::new(),
        tenants_url: String::new(),
        events_url: String::new(),
        rbac_url: String::new(),
        contacts_url: String::new(),
        matters_url: String::new(),
        channels_url: String::new(),
        messages_url: String::new(),
        tasks_url: String::new(),
        documents_url: String::new(),
        billing_url: String::new(),
        notifications_url: String::new(),
        token_url: String::new(),
        service_client_secret: None,
        cursor_key: "test-cursor-key".to_owned(),
        http_addr: None,
        http_workers: 1,
        body_limit: 64 * 1024,
        rate_limit: false,
        rate_policies: lawos_cache::ClientType::ALL.map(lawos_cache::ClientType::default_policy),
    }
}

impl TestApp {
    /// Starts `specs` (their schemas migrated into a fresh database) on 127.0.0.1:0.
    pub async fn spawn(specs: &[ServiceSpec]) -> Self {
        Self::spawn_with(specs, |_| {}).await
    }

    /// Like [`spawn`](Self::spawn), with a chance to adjust the configuration.
    pub async fn spawn_with(
        specs: &[ServiceSpec],
        adjust: impl FnOnce(&mut PlatformConfig),
    ) -> Self {
        Self::start(specs, adjust, false).await
    }

    /// Like [`spawn`](Self::spawn), with a RabbitMQ vhost of the test's own and every
    /// service's outbox relay and workers (event consumers) running.
    pub async fn spawn_with_events(specs: &[ServiceSpec]) -> Self {
        Self::start(specs, |_| {}, true).await
    }

    /// [`spawn_with_events`](Self::spawn_with_events) with a chance to adjust the
    /// configuration first (e.g. a Redis prefix the test names in advance).
    pub async fn spawn_with_events_and(
        specs: &[ServiceSpec],
        adjust: impl FnOnce(&mut PlatformConfig),
    ) -> Self {
        Self::start(specs, adjust, true).await
    }

    /// Another instance of `specs` beside this app: its own listener, service
    /// environments and workers, on the same database, Redis prefix, vhost and
    /// token issuer, as a second replica of a deployment would be.
    pub async fn replica(&self, specs: &[ServiceSpec]) -> Replica {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        // A configuration of its own (same values): per-environment state is its own.
        let config = Arc::new((*self.config).clone());
        let envs: Vec<ServiceEnv> = specs
            .iter()
            .map(|s| {
                ServiceEnv::connect(s, config.clone(), Some(&self.issuer.local()))
                    .unwrap_or_else(|e| panic!("env: {e}"))
            })
            .collect();
        let mounts: Vec<_> = specs.iter().zip(&envs).map(|(s, e)| (s.mount)(e)).collect();
        let (stop_workers, shutdown) = Shutdown::new();
        if self.vhost.is_some() {
            for (spec, env) in specs.iter().zip(&envs) {
                start_workers(spec, env, &shutdown).unwrap_or_else(|e| panic!("workers: {e}"));
            }
        }
        let settings = app_settings(&config, "LawOS test replica", Some(self.issuer.validator()));
        let server = actix_web::HttpServer::new(move || {
            lawos_http::build_app(settings.clone(), mounts.clone())
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap_or_else(|e| panic!("listen: {e}"))
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Replica {
            base_url: format!("http://127.0.0.1:{port}"),
            envs,
            config,
            server: handle,
            stop_workers,
        }
    }

    /// Like [`spawn_with_events`](Self::spawn_with_events), but the database
    /// holds the schemas of `migrated` too while only `running` is served: a
    /// service of a later phase is started afterwards with
    /// [`replica`](Self::replica) (its schema is already there).
    pub async fn spawn_with_events_of(migrated: &[ServiceSpec], running: &[ServiceSpec]) -> Self {
        Self::start_of(migrated, running, |_| {}, true).await
    }

    async fn start(
        specs: &[ServiceSpec],
        adjust: impl FnOnce(&mut PlatformConfig),
        events: bool,
    ) -> Self {
        Self::start_of(specs, specs, adjust, events).await
    }

    async fn start_of(
        migrated: &[ServiceSpec],
        specs: &[ServiceSpec],
        adjust: impl FnOnce(&mut PlatformConfig),
        events: bool,
    ) -> Self {
        let mut schemas: Vec<_> = specs.iter().map(|s| (s.schema)()).collect();
        for extra in migrated {
            if !specs.iter().any(|s| s.name == extra.name) {
                schemas.push((extra.schema)());
            }
        }
        let db = TestDatabase::create(&schemas)
            .await
            .unwrap_or_else(|e| panic!("test database: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let base_url = format!("http://127.0.0.1:{port}");
        let mut config = test_config(&db);
        config.tenants_url = base_url.clone();
        config.events_url = base_url.clone();
        config.rbac_url = base_url.clone();
        config.contacts_url = base_url.clone();
        config.matters_url = base_url.clone();
        config.channels_url = base_url.clone();
        config.messages_url = base_url.clone();
        config.tasks_url = base_url.clone();
        config.documents_url = base_url.clone();
        config.billing_url = base_url.clone();
        config.notifications_url = base_url.clone();
        let vhost = if events {
            Some(TestVhost::create().await)
        } else {
            None
        };
        if let Some(vhost) = &vhost {
            config.amqp_url = vhost.amqp_url();
        }
        adjust(&mut config);
        let config = Arc::new(config);
        let issuer = TestIssuer::new();
        let envs: Vec<ServiceEnv> = specs
            .iter()
            .map(|s| {
                ServiceEnv::connect(s, config.clone(), Some(&issuer.local()))
                    .unwrap_or_else(|e| panic!("env: {e}"))
            })
            .collect();
        let mounts: Vec<_> = specs.iter().zip(&envs).map(|(s, e)| (s.mount)(e)).collect();
        let (stop_workers, shutdown) = Shutdown::new();
        if events {
            for (spec, env) in specs.iter().zip(&envs) {
                start_workers(spec, env, &shutdown).unwrap_or_else(|e| panic!("workers: {e}"));
            }
        }
        let settings = app_settings(&config, "LawOS test", Some(issuer.validator()));
        // One worker unless `adjust` asked for more (`test_config` says 1).
        let workers = config.http_workers.max(1);
        let server = actix_web::HttpServer::new(move || {
            lawos_http::build_app(settings.clone(), mounts.clone())
        })
        .workers(workers)
        .disable_signals()
        .listen(listener)
        .unwrap_or_else(|e| panic!("listen: {e}"))
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base_url,
            issuer,
            http: reqwest::Client::new(),
            envs,
            config,
            server: handle,
            stop_workers,
            vhost,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn token(&self, user: &TestUser) -> String {
        self.issuer.token(user)
    }

    /// A request with `user`'s bearer token.
    pub fn as_user(
        &self,
        method: reqwest::Method,
        path: &str,
        user: &TestUser,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.token(user))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop_workers.send(true);
        let handle = self.server.clone();
        // Stopping is async; the database drop that follows terminates any connection left.
        drop(handle.stop(false));
    }
}

/// A second instance started by [`TestApp::replica`]; stopped when dropped
/// (before the app it stands beside).
pub struct Replica {
    pub base_url: String,
    pub envs: Vec<ServiceEnv>,
    pub config: Arc<PlatformConfig>,
    server: actix_web::dev::ServerHandle,
    stop_workers: tokio::sync::watch::Sender<bool>,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.stop_workers.send(true);
        drop(self.server.clone().stop(false));
    }
}
