//! Platform settings every service reads from the environment. Each is
//! documented once here (and in the README's configuration table) with its default.

use lawos_core::config::{ConfigError, parse_or, var_or};

#[derive(Debug, Clone)]
pub struct PlatformConfig {
    /// `LAWOS_DATABASE_URL`: the migration (owner-capable) connection. Runtime
    /// connections use the service's own role on the same database.
    pub database_url: String,
    /// `LAWOS_DB_APP_PASSWORD`: the runtime roles' password.
    pub db_app_password: String,
    /// `LAWOS_DB_POOL_SIZE`: connections per service.
    pub db_pool_size: usize,
    /// `LAWOS_REDIS_URL`.
    pub redis_url: String,
    /// `LAWOS_REDIS_PREFIX`: prefix of every Redis key (isolates tests and environments).
    pub redis_prefix: String,
    /// `LAWOS_AMQP_URL`.
    pub amqp_url: String,
    /// `LAWOS_JWT_ISSUER`: the trusted token issuer (the auth service).
    pub jwt_issuer: String,
    /// `LAWOS_JWT_AUDIENCE`: the audience every token must carry.
    pub jwt_audience: String,
    /// `LAWOS_JWKS_URL`: where the issuer's keys are (default `<issuer>/.well-known/jwks.json`).
    pub jwks_url: String,
    /// `LAWOS_TENANTS_URL`: base URL of the tenants service.
    pub tenants_url: String,
    /// `LAWOS_EVENTS_URL`: base URL of the events service (entity audit trails).
    pub events_url: String,
    /// `LAWOS_RBAC_URL`: base URL of the rbac service (capabilities for `lawos-authz`).
    pub rbac_url: String,
    /// `LAWOS_CONTACTS_URL`: base URL of the contacts service (clients checked by matters).
    pub contacts_url: String,
    /// `LAWOS_MATTERS_URL`: base URL of the matters service (conflict checks ask it
    /// for the matters where contacts are parties).
    pub matters_url: String,
    /// `LAWOS_CHANNELS_URL`: base URL of the channels service (messages asks it about a channel: context and access).
    pub channels_url: String,
    /// `LAWOS_MESSAGES_URL`: base URL of the messages service (channels writes and reads a channel's messages there).
    pub messages_url: String,
    /// `LAWOS_TASKS_URL`: base URL of the tasks service.
    pub tasks_url: String,
    /// `LAWOS_DOCUMENTS_URL`: base URL of the documents service.
    pub documents_url: String,
    /// `LAWOS_BILLING_URL`: base URL of the billing service.
    pub billing_url: String,
    /// `LAWOS_NOTIFICATIONS_URL`: base URL of the notifications service.
    pub notifications_url: String,
    /// `LAWOS_TOKEN_URL`: the issuer's token endpoint for service tokens
    /// (default `<issuer>/oauth/token`).
    pub token_url: String,
    /// `LAWOS_SERVICE_CLIENT_SECRET`: this service's `client_credentials` secret
    /// (its client id is `lawos-<service>`).
    pub service_client_secret: Option<String>,
    /// `LAWOS_CURSOR_KEY`: HMAC key of pagination cursors, shared by all instances.
    pub cursor_key: String,
    /// `LAWOS_HTTP_ADDR`: listen address (default `0.0.0.0:<service port>`).
    pub http_addr: Option<String>,
    /// `LAWOS_HTTP_WORKERS`: actix workers (default: available cores).
    pub http_workers: usize,
    /// `LAWOS_BODY_LIMIT_BYTES`: largest accepted request body.
    pub body_limit: usize,
    /// `LAWOS_RATE_LIMIT`: `on` (default) or `off`.
    pub rate_limit: bool,
    /// `LAWOS_RATE_LIMITS`: per client type, `web=1000/1200,mobile=500/600,admin=2000/2400`
    /// (`limit/burst` per minute; the default is Backstage §7.4's table).
    pub rate_policies: [lawos_cache::RatePolicy; 3],
}

impl PlatformConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let jwt_issuer = var_or("LAWOS_JWT_ISSUER", "http://127.0.0.1:8081");
        let jwks_url = var_or(
            "LAWOS_JWKS_URL",
            &format!("{}/.well-known/jwks.json", jwt_issuer.trim_end_matches('/')),
        );
        let token_url = format!("{}/oauth/token", jwt_issuer.trim_end_matches('/'));
        let cursor_key = var_or("LAWOS_CURSOR_KEY", "");
        let cursor_key = if cursor_key.is_empty() {
            tracing::warn!(
                "LAWOS_CURSOR_KEY is not set: using the development key; set it in production"
            );
            "lawos-development-cursor-key".to_owned()
        } else {
            cursor_key
        };
        let rate_limit = var_or("LAWOS_RATE_LIMIT", "on");
        let policies = var_or("LAWOS_RATE_LIMITS", "");
        let rate_policies =
            lawos_cache::parse_policies(&policies).map_err(|reason| ConfigError::Invalid {
                name: "LAWOS_RATE_LIMITS".into(),
                value: policies.clone(),
                reason,
            })?;
        Ok(Self {
            database_url: var_or(
                "LAWOS_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/lawos",
            ),
            db_app_password: var_or("LAWOS_DB_APP_PASSWORD", "lawos-dev"),
            db_pool_size: parse_or("LAWOS_DB_POOL_SIZE", 16)?,
            redis_url: var_or("LAWOS_REDIS_URL", "redis://127.0.0.1:6379"),
            redis_prefix: var_or("LAWOS_REDIS_PREFIX", "lawos"),
            amqp_url: var_or("LAWOS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
            jwt_issuer,
            jwt_audience: var_or("LAWOS_JWT_AUDIENCE", "lawos"),
            jwks_url,
            tenants_url: var_or("LAWOS_TENANTS_URL", "http://127.0.0.1:8082"),
            events_url: var_or("LAWOS_EVENTS_URL", "http://127.0.0.1:8084"),
            rbac_url: var_or("LAWOS_RBAC_URL", "http://127.0.0.1:8083"),
            contacts_url: var_or("LAWOS_CONTACTS_URL", "http://127.0.0.1:8085"),
            matters_url: var_or("LAWOS_MATTERS_URL", "http://127.0.0.1:8086"),
            channels_url: var_or("LAWOS_CHANNELS_URL", "http://127.0.0.1:8087"),
            messages_url: var_or("LAWOS_MESSAGES_URL", "http://127.0.0.1:8088"),
            tasks_url: var_or("LAWOS_TASKS_URL", "http://127.0.0.1:8089"),
            documents_url: var_or("LAWOS_DOCUMENTS_URL", "http://127.0.0.1:8090"),
            billing_url: var_or("LAWOS_BILLING_URL", "http://127.0.0.1:8091"),
            notifications_url: var_or("LAWOS_NOTIFICATIONS_URL", "http://127.0.0.1:8092"),
            token_url: var_or("LAWOS_TOKEN_URL", &token_url),
            service_client_secret: std::env::var("LAWOS_SERVICE_CLIENT_SECRET")
                .ok()
                .filter(|v| !v.is_empty()),
            cursor_key,
            http_addr: std::env::var("LAWOS_HTTP_ADDR")
                .ok()
                .filter(|v| !v.is_empty()),
            http_workers: parse_or(
                "LAWOS_HTTP_WORKERS",
                std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(2),
            )?,
            body_limit: parse_or("LAWOS_BODY_LIMIT_BYTES", crate::app::DEFAULT_BODY_LIMIT)?,
            rate_limit: match rate_limit.as_str() {
                "on" => true,
                "off" => false,
                other => {
                    return Err(ConfigError::Invalid {
                        name: "LAWOS_RATE_LIMIT".into(),
                        value: other.into(),
                        reason: "must be on or off".into(),
                    });
                }
            },
            rate_policies,
        })
    }
}
