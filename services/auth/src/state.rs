//! The auth service's state: its pool, settings, the opened signing keys, and
//! the start-up work (a signing key and the system administrator) done once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::Utc;
use lawos_auth::{Claims, Es256Signer};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use uuid::Uuid;

use crate::config::AuthConfig;
use crate::model::{NewCredential, User};
use crate::{crypto, keys, roles, storage};

/// The issuer recorded in the user mirror for identities of the embedded
/// (local, argon2id) identity provider; their subject is the user id.
pub const LOCAL_ISSUER: &str = "urn:lawos:local";

pub struct AuthState {
    pub db: DbPool,
    pub config: AuthConfig,
    /// `iss` of the tokens issued (`LAWOS_JWT_ISSUER`).
    pub issuer: String,
    /// `aud` of the tokens issued (`LAWOS_JWT_AUDIENCE`).
    pub audience: String,
    signers: RwLock<HashMap<String, Es256Signer>>,
    ready: tokio::sync::OnceCell<()>,
}

impl AuthState {
    pub fn new(db: DbPool, config: AuthConfig, issuer: String, audience: String) -> Arc<Self> {
        Arc::new(Self {
            db,
            config,
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience,
            signers: RwLock::new(HashMap::new()),
            ready: tokio::sync::OnceCell::new(),
        })
    }

    /// Start-up work, done once per process (retried on the next request if it
    /// failed): a signing key when none can sign, the system administrator on
    /// an empty user table.
    pub async fn ensure_ready(&self) -> Result<(), ApiError> {
        self.ready
            .get_or_try_init(|| async {
                let master = self.config.master_key.clone();
                let created = with_tenant(&self.db, &TenantCtx::platform(None), |conn| {
                    async move { keys::ensure_active(conn, &master).await }.scope_boxed()
                })
                .await?;
                if let Some(kid) = created {
                    tracing::info!(%kid, "created the first signing key");
                }
                self.bootstrap_admin().await
            })
            .await
            .map(|_| ())
    }

    async fn bootstrap_admin(&self) -> Result<(), ApiError> {
        let ctx = TenantCtx::platform(None);
        let existing = with_tenant(&self.db, &ctx, |conn| {
            storage::count_users(conn).scope_boxed()
        })
        .await?;
        if existing > 0 {
            return Ok(());
        }
        let password = self.config.admin_password.clone();
        let hash = tokio::task::spawn_blocking(move || crypto::hash_secret(&password))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        let email = self.config.admin_email.clone();
        let created = with_tenant(&self.db, &ctx, |conn| {
            async move {
                diesel_async::RunQueryDsl::execute(
                    diesel::sql_query(
                        "select pg_advisory_xact_lock(hashtext('lawos-auth-bootstrap-admin'))",
                    ),
                    conn,
                )
                .await?;
                if storage::count_users(conn).await? > 0 {
                    return Ok(false);
                }
                let now = Utc::now();
                let id = Uuid::now_v7();
                storage::insert_user(
                    conn,
                    User {
                        id,
                        issuer: LOCAL_ISSUER.to_owned(),
                        subject: id.to_string(),
                        email,
                        full_name: "System Administrator".to_owned(),
                        platform_role: Some(roles::SYSTEM_ADMIN.to_owned()),
                        is_active: true,
                        synced_at: None,
                        created_at: now,
                        updated_at: now,
                        deleted_at: None,
                    },
                )
                .await?;
                storage::insert_credential(
                    conn,
                    NewCredential {
                        user_id: id,
                        password_hash: hash,
                    },
                )
                .await?;
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
        if created {
            if self.config.admin_defaults {
                tracing::warn!(
                    email = %self.config.admin_email,
                    "created the system administrator with DEFAULT credentials \
                     (LAWOS_ADMIN_EMAIL defaults to {}, LAWOS_ADMIN_PASSWORD to {}); \
                     set both, or change the password, before real use",
                    crate::config::DEFAULT_ADMIN_EMAIL,
                    crate::config::DEFAULT_ADMIN_PASSWORD,
                );
            } else {
                tracing::info!(email = %self.config.admin_email, "created the system administrator");
            }
        }
        Ok(())
    }

    /// The key that signs now, opened (and kept opened) with the master key.
    pub async fn active_signer(&self) -> Result<Es256Signer, ApiError> {
        self.ensure_ready().await?;
        let row = with_tenant(&self.db, &TenantCtx::platform(None), |conn| {
            keys::active(conn).scope_boxed()
        })
        .await?;
        let row = match row {
            Some(row) => row,
            // Every key retired since start-up: make one that signs at once.
            None => {
                let master = self.config.master_key.clone();
                with_tenant(&self.db, &TenantCtx::platform(None), |conn| {
                    async move {
                        keys::ensure_active(conn, &master).await?;
                        keys::active(conn).await
                    }
                    .scope_boxed()
                })
                .await?
                .ok_or_else(|| ApiError::internal("no signing key after creating one"))?
            }
        };
        if let Ok(cache) = self.signers.read()
            && let Some(signer) = cache.get(&row.kid)
        {
            return Ok(signer.clone());
        }
        let signer = keys::open(&self.config.master_key, &row)?;
        if let Ok(mut cache) = self.signers.write() {
            cache.insert(row.kid.clone(), signer.clone());
        }
        Ok(signer)
    }

    /// Claims of an access token from this issuer, valid for the access TTL.
    pub fn claims(&self, subject: &str) -> Claims {
        Claims::new(
            self.issuer.clone(),
            subject,
            self.audience.as_str(),
            self.config.access_ttl,
        )
    }

    /// Signs `claims` with the active key.
    pub async fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        self.active_signer()
            .await?
            .sign(claims)
            .map_err(ApiError::internal)
    }
}
