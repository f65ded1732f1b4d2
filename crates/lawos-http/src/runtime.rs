//! How a service process runs: `lawos-<service> [serve|migrate]`. Reads the
//! platform configuration, migrates or serves, and keeps the service's outbox
//! relay running beside the HTTP server. The all-in-one `lawos` uses the same
//! pieces to serve every service from one process.

use lawos_cache::Cache;
use lawos_core::CursorCodec;
use lawos_db::{DbPool, ServiceRoles, ServiceSchema};
use lawos_tenancy::{FirmResolver, TenantsResolver};
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::app::AppSettings;
use crate::config::PlatformConfig;
use crate::mount::Mount;

/// A service as the runtime knows it.
#[derive(Clone, Copy)]
pub struct ServiceSpec {
    pub name: &'static str,
    pub port: u16,
    pub schema: fn() -> ServiceSchema,
    pub mount: fn(&ServiceEnv) -> Mount,
    /// Background work beside the HTTP server (event consumers, scheduled jobs).
    pub workers: fn(&ServiceEnv) -> Vec<Worker>,
    /// The queues this service's consumers read (declared again by the
    /// platform's topology step before any service starts).
    pub queues: &'static [lawos_events::QueueBindings],
}

/// Fires once when the process (or test) shuts down.
#[derive(Clone)]
pub struct Shutdown(tokio::sync::watch::Receiver<bool>);

impl Shutdown {
    /// A signal and the switch that fires it.
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Self) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Self(rx))
    }

    /// Resolves when shutdown fires (or its sender is gone).
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// A background task of a service: runs until its `Shutdown` fires.
pub type Worker = Box<dyn FnOnce(Shutdown) -> futures_util::future::BoxFuture<'static, ()> + Send>;

/// For services without background work.
pub fn no_workers(_env: &ServiceEnv) -> Vec<Worker> {
    Vec::new()
}

/// The resources one service is given.
#[derive(Clone)]
pub struct ServiceEnv {
    pub name: &'static str,
    pub db: DbPool,
    pub cache: Option<Cache>,
    pub resolver: Arc<dyn FirmResolver>,
    /// Bearer tokens for this service's calls to other services.
    pub service_tokens: Arc<dyn lawos_auth::ServiceTokenSource>,
    pub config: Arc<PlatformConfig>,
}

/// A token issuer inside this process (the development server, tests): its key
/// signs service tokens and a validator trusts it.
#[derive(Clone)]
pub struct LocalIssuer {
    pub signer: lawos_auth::Es256Signer,
    pub issuer: String,
    pub audience: String,
}

impl LocalIssuer {
    pub fn validator(&self) -> lawos_auth::TokenValidator {
        lawos_auth::TokenValidator::new(vec![lawos_auth::TrustedIssuer {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            keys: lawos_auth::KeySource::Static(self.signer.jwk_set()),
        }])
    }

    fn service_tokens(&self, service: &str) -> Arc<dyn lawos_auth::ServiceTokenSource> {
        Arc::new(lawos_auth::SignedServiceTokens::new(
            self.signer.clone(),
            &self.issuer,
            &self.audience,
            service,
            &[],
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Config(#[from] lawos_core::config::ConfigError),
    #[error(transparent)]
    Migrate(#[from] lawos_db::schema_setup::MigrateError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl ServiceEnv {
    /// Connects `spec`'s pool (its runtime role on `admin_url`'s database) and cache.
    /// Service tokens come from `local` when given, else from `client_credentials`.
    pub fn connect(
        spec: &ServiceSpec,
        config: Arc<PlatformConfig>,
        local: Option<&LocalIssuer>,
    ) -> Result<Self, RuntimeError> {
        let roles = ServiceRoles::for_service(spec.name);
        let runtime_url = roles
            .runtime_url(&config.database_url, &config.db_app_password)
            .map_err(|e| RuntimeError::Setup(format!("LAWOS_DATABASE_URL is not a URL: {e}")))?;
        let db = lawos_db::connect(&runtime_url, config.db_pool_size)
            .map_err(|e| RuntimeError::Setup(e.to_string()))?;
        let cache = Cache::connect(&config.redis_url, &config.redis_prefix)
            .map_err(|e| tracing::warn!(error = %e, "Redis unavailable; caching disabled"))
            .ok();
        let resolver: Arc<dyn FirmResolver> = Arc::new(TenantsResolver::new(
            config.tenants_url.clone(),
            Duration::from_secs(300),
        ));
        let service_tokens: Arc<dyn lawos_auth::ServiceTokenSource> = match local {
            Some(local) => local.service_tokens(spec.name),
            None => Arc::new(lawos_auth::ClientCredentials::new(
                config.token_url.clone(),
                format!("lawos-{}", spec.name),
                config.service_client_secret.clone().unwrap_or_default(),
            )),
        };
        Ok(Self {
            name: spec.name,
            db,
            cache,
            resolver,
            service_tokens,
            config,
        })
    }
}

impl ServiceEnv {
    /// The client for this service's entities' audit trails.
    pub fn audit_trail(&self) -> crate::audit::AuditTrail {
        crate::audit::AuditTrail::new(&self.config.events_url, self.service_tokens.clone())
    }

    /// Readiness of this service's database.
    pub fn db_check(&self) -> Arc<dyn crate::ReadinessCheck> {
        Arc::new(crate::DbCheck::new(self.name, self.db.clone()))
    }

    /// A mount of this service's routes whose readiness is its database.
    pub fn mount(
        &self,
        configure: impl Fn(&mut actix_web::web::ServiceConfig) + Send + Sync + 'static,
        openapi: serde_json::Value,
    ) -> Mount {
        Mount {
            name: self.name,
            configure: Arc::new(configure),
            openapi,
            readiness: vec![self.db_check()],
        }
    }
}

/// The validator of a process: the configured issuer (the auth service's JWKS)
/// and, when there is one, the in-process issuer whose key signs service tokens.
pub fn validator(
    config: &PlatformConfig,
    local: Option<&LocalIssuer>,
) -> lawos_auth::TokenValidator {
    let mut issuers = Vec::new();
    if local.is_none_or(|l| l.issuer != config.jwt_issuer) {
        issuers.push(lawos_auth::TrustedIssuer {
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            keys: lawos_auth::KeySource::Remote(config.jwks_url.clone()),
        });
    }
    if let Some(local) = local {
        issuers.push(lawos_auth::TrustedIssuer {
            issuer: local.issuer.clone(),
            audience: local.audience.clone(),
            keys: lawos_auth::KeySource::Static(local.signer.jwk_set()),
        });
    }
    lawos_auth::TokenValidator::new(issuers)
}

/// Settings shared by every mount of a process; `validator` overrides the
/// configured issuer (the development server and tests bring their own keys).
/// With Redis, the validator also refuses revoked sessions (`crate::revocation`)
/// and act-as requests are queued for the access log (`crate::support_log`).
pub fn app_settings(
    config: &PlatformConfig,
    title: &str,
    validator: Option<lawos_auth::TokenValidator>,
) -> AppSettings {
    let validator = validator.unwrap_or_else(|| self::validator(config, None));
    let shared = Cache::connect(&config.redis_url, &config.redis_prefix).ok();
    // Every service refuses revoked sessions (support access), unless the
    // caller brought its own check.
    let validator = match &shared {
        Some(cache) if !validator.has_revocation() => validator.with_revocation(Arc::new(
            crate::revocation::RedisRevocation::new(cache.clone()),
        )),
        _ => validator,
    };
    let rate_limiter = config
        .rate_limit
        .then(|| Cache::connect(&config.redis_url, &config.redis_prefix).ok())
        .flatten()
        .map(|cache| {
            let limiter = lawos_cache::RateLimiter::new(cache).with_identity(principal_identity);
            lawos_cache::ClientType::ALL
                .into_iter()
                .zip(config.rate_policies)
                .fold(limiter, |l, (kind, policy)| l.with_policy(kind, policy))
        });
    let idempotency = Cache::connect(&config.redis_url, &config.redis_prefix).ok();
    AppSettings {
        idempotency,
        title: title.to_owned(),
        body_limit: config.body_limit,
        validator,
        rate_limiter,
        cursors: CursorCodec::new(config.cursor_key.clone().into_bytes()),
        support_log: shared,
    }
}

/// Rate limits are per principal and client type; anonymous callers by peer address.
fn principal_identity(
    req: &actix_web::dev::ServiceRequest,
) -> Option<(String, lawos_cache::ClientType)> {
    use actix_web::HttpMessage;
    let ext = req.extensions();
    let principal = ext.get::<lawos_auth::Principal>()?;
    let client =
        lawos_cache::ClientType::from_client_id(principal.client_id.as_deref().unwrap_or_default());
    Some((format!("sub:{}", principal.subject), client))
}

/// Migrates one service's schema with the configured owner connection.
pub async fn migrate(spec: &ServiceSpec, config: &PlatformConfig) -> Result<(), RuntimeError> {
    lawos_db::migrate(
        &config.database_url,
        &(spec.schema)(),
        &config.db_app_password,
    )
    .await?;
    tracing::info!(service = spec.name, "migrated");
    Ok(())
}

/// The topology step for `specs`: declares every queue they list
/// (`ServiceSpec::queues`) on the configured broker, as their consumers do.
pub async fn declare_queues(
    specs: &[ServiceSpec],
    config: &PlatformConfig,
) -> Result<(), RuntimeError> {
    let queues: Vec<lawos_events::QueueBindings> = specs
        .iter()
        .flat_map(|s| s.queues.iter().copied())
        .collect();
    lawos_events::declare_topology(&config.amqp_url, &queues)
        .await
        .map_err(|e| {
            RuntimeError::Setup(format!(
                "declaring the queues on the broker (LAWOS_AMQP_URL): {e}"
            ))
        })?;
    if !queues.is_empty() {
        tracing::info!(queues = queues.len(), "topology declared");
    }
    Ok(())
}

/// The outbox relay of a service, as a worker.
pub fn relay_worker(env: &ServiceEnv) -> Result<Worker, RuntimeError> {
    let database_url = ServiceRoles::for_service(env.name)
        .runtime_url(&env.config.database_url, &env.config.db_app_password)
        .map_err(|e| RuntimeError::Setup(format!("LAWOS_DATABASE_URL is not a URL: {e}")))?;
    let relay = lawos_events::Relay::new(lawos_events::RelayConfig {
        database_url,
        amqp_url: env.config.amqp_url.clone(),
        schema: env.name.to_owned(),
        ..lawos_events::RelayConfig::default()
    });
    let name = env.name;
    Ok(Box::new(move |shutdown: Shutdown| {
        Box::pin(async move {
            if let Err(e) = relay.run(shutdown.wait()).await {
                tracing::error!(service = name, error = %e, "outbox relay stopped");
            }
        })
    }))
}

/// Starts `spec`'s relay and workers; they stop when `shutdown` fires.
pub fn start_workers(
    spec: &ServiceSpec,
    env: &ServiceEnv,
    shutdown: &Shutdown,
) -> Result<(), RuntimeError> {
    let mut workers = vec![relay_worker(env)?];
    workers.extend((spec.workers)(env));
    for worker in workers {
        tokio::spawn(worker(shutdown.clone()));
    }
    Ok(())
}

/// Serves `specs` from one listener until shutdown, each with its relay.
pub async fn serve(
    specs: &[ServiceSpec],
    config: Arc<PlatformConfig>,
    listener: TcpListener,
    local: Option<LocalIssuer>,
) -> Result<(), RuntimeError> {
    let mut mounts = Vec::new();
    let (stop, shutdown) = Shutdown::new();
    for spec in specs {
        let env = ServiceEnv::connect(spec, config.clone(), local.as_ref())?;
        start_workers(spec, &env, &shutdown)?;
        mounts.push((spec.mount)(&env));
    }
    let title = if specs.len() == 1 {
        format!("LawOS {}", specs[0].name)
    } else {
        "LawOS".to_owned()
    };
    let settings = app_settings(&config, &title, Some(validator(&config, local.as_ref())));
    let result = crate::server::serve(listener, settings, mounts, config.http_workers).await;
    let _ = stop.send(true);
    Ok(result?)
}

/// The `main` of a service binary.
pub fn main(spec: ServiceSpec) -> ExitCode {
    let _telemetry = lawos_telemetry::init(&format!("lawos-{}", spec.name));
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let config = Arc::new(PlatformConfig::from_env()?);
        match command.as_str() {
            "migrate" => {
                migrate(&spec, &config).await?;
                declare_queues(&[spec], &config).await
            }
            "serve" => {
                let addr = config
                    .http_addr
                    .clone()
                    .unwrap_or_else(|| format!("0.0.0.0:{}", spec.port));
                let listener = TcpListener::bind(&addr)?;
                serve(&[spec], config, listener, None).await
            }
            other => Err(RuntimeError::Setup(format!(
                "unknown command {other:?}; usage: lawos-{} [serve|migrate]",
                spec.name
            ))),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "lawos-{} stopped", spec.name);
            eprintln!("lawos-{}: {e}", spec.name);
            ExitCode::FAILURE
        }
    }
}
