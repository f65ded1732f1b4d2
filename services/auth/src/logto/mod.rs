//! The Logto bridge (Backstage §2.2.3): a firm's Logto organization, the local
//! cache of its members and their organization roles, and the log of every
//! exchange with Logto's Management API.
//!
//! How a write stays whole: Logto is called first, outside any transaction;
//! if it fails, a FAILED row is written to `logto_sync_log` in a transaction
//! of its own and nothing else changes (502 `LOGTO_SYNC_FAILED`). If it
//! succeeds, the local change and a SUCCEEDED row commit together; if that
//! commit fails, the Logto change is undone (compensation) where Logto allows.

pub mod client;
pub mod error;
pub mod firm_created;
pub mod members;
pub mod mirror;
pub mod model;
pub mod provision;
pub mod storage;
pub mod sync;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lawos_core::ApiError;
use lawos_core::config::ConfigError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, TenantCtx, with_tenant};
use serde_json::Value;
use uuid::Uuid;

pub use client::LogtoClient;
pub use error::LogtoError;

use crate::config::LogtoSettings;
use model::{FAILED, LogtoOrg, SUCCEEDED, SyncLogRow};

/// The bridge: a Management API client when Logto is configured.
#[derive(Clone, Default)]
pub struct Bridge(Option<Arc<LogtoClient>>);

impl Bridge {
    pub fn new(settings: LogtoSettings) -> Self {
        Self(Some(Arc::new(LogtoClient::new(settings))))
    }

    /// The bridge the environment configures (off when nothing is set).
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(crate::config::logto_settings()?.map_or_else(Self::default, Self::new))
    }

    pub fn is_configured(&self) -> bool {
        self.0.is_some()
    }

    /// The client, or 503 when the bridge is not configured.
    pub fn client(&self) -> Result<&LogtoClient, ApiError> {
        self.0.as_deref().ok_or_else(error::not_configured)
    }
}

/// What one exchange with Logto was, for its sync-log row.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub firm_id: Uuid,
    pub direction: &'static str,
    pub operation: &'static str,
    pub logto_org_id: Option<String>,
    pub target: Option<String>,
    pub actor_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
}

impl Exchange {
    pub fn new(
        firm_id: Uuid,
        direction: &'static str,
        operation: &'static str,
        ctx: &TenantCtx,
    ) -> Self {
        Self {
            firm_id,
            direction,
            operation,
            logto_org_id: None,
            target: None,
            actor_id: ctx.user_id.map(|u| u.0),
            started_at: Utc::now(),
        }
    }

    pub fn org(mut self, org: &LogtoOrg) -> Self {
        self.logto_org_id = Some(org.logto_org_id.clone());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into().chars().take(320).collect());
        self
    }

    fn row(&self, error: Option<String>, details: Value) -> SyncLogRow {
        SyncLogRow {
            id: Uuid::now_v7(),
            firm_id: self.firm_id,
            direction: self.direction.to_owned(),
            operation: self.operation.to_owned(),
            status: if error.is_some() { FAILED } else { SUCCEEDED }.to_owned(),
            logto_org_id: self.logto_org_id.clone(),
            target: self.target.clone(),
            error: error.map(|e| e.chars().take(2000).collect()),
            details,
            actor_id: self.actor_id,
            started_at: self.started_at,
            finished_at: Utc::now().max(self.started_at),
        }
    }

    /// The SUCCEEDED row, to insert in the transaction of the local change.
    pub fn succeeded(&self, details: Value) -> SyncLogRow {
        self.row(None, details)
    }

    /// Commits a FAILED row in its own transaction and answers the error to
    /// return (502 for a Logto failure). A failure to log is logged, not hidden
    /// behind: the caller still gets the Logto error.
    pub async fn failed(
        &self,
        db: &DbPool,
        ctx: &TenantCtx,
        error: impl Into<ApiError> + std::fmt::Display,
    ) -> ApiError {
        let row = self.row(Some(error.to_string()), Value::Object(Default::default()));
        let logged =
            with_tenant(db, ctx, |conn| storage::insert_log(conn, row).scope_boxed()).await;
        if let Err(e) = logged {
            tracing::error!(error = %e, firm_id = %self.firm_id, operation = self.operation,
                "could not record a failed Logto exchange in logto_sync_log");
        }
        error.into()
    }
}

/// The firm's organization, or 409 when the firm has none linked yet.
pub async fn linked_org(db: &DbPool, ctx: &TenantCtx, firm_id: Uuid) -> Result<LogtoOrg, ApiError> {
    with_tenant(db, ctx, |conn| {
        storage::org_of_firm(conn, firm_id).scope_boxed()
    })
    .await?
    .ok_or_else(|| not_linked(firm_id))
}

pub fn not_linked(firm_id: Uuid) -> ApiError {
    ApiError::new(
        lawos_core::ErrorCode::ResourceConflict,
        "The firm has no Logto organization linked (create the firm with createLogtoOrg \
         or logtoOrgId)",
    )
    .with_details(serde_json::json!({ "firmId": firm_id, "reason": "LOGTO_ORG_NOT_LINKED" }))
}

impl Bridge {
    /// The environment's bridge; a bad Logto setting stops the process, naming it.
    pub fn from_env_or_exit() -> Self {
        match Self::from_env() {
            Ok(bridge) => bridge,
            Err(e) => {
                tracing::error!(error = %e, "lawos-auth cannot start");
                eprintln!("lawos-auth: {e}");
                std::process::exit(2);
            }
        }
    }
}
