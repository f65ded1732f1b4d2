//! Requests made with an act-as (support) token, in every service: each is
//! logged with both identities (`lawos::support_access` log line) and queued
//! in the Redis list `support-access-log`, which the auth service drains into
//! its `support_access_log` table. Only impersonated requests pay for it (one
//! `LPUSH`, off the response path); the list is capped so that it stays
//! bounded while the auth service is down.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use chrono::{DateTime, Utc};
use deadpool_redis::redis;
use lawos_cache::Cache;
use serde::{Deserialize, Serialize};

/// The Redis list of pending entries (under the cache prefix).
pub const LIST: &str = "support-access-log";
/// Entries kept at most while nobody drains the list.
pub const MAX_PENDING: isize = 100_000;

/// One request made under a support session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportAccess {
    pub session_id: String,
    pub user_id: String,
    pub act_as: String,
    pub firm_id: Option<uuid::Uuid>,
    pub service: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub at: DateTime<Utc>,
}

/// The service a path belongs to: `/api/v1/{service}/…`, else the issuer's.
pub fn service_of(path: &str) -> String {
    match path.strip_prefix("/api/v1/") {
        Some(rest) => rest.split('/').next().unwrap_or_default().to_owned(),
        None => "auth".to_owned(),
    }
}

async fn push(cache: Cache, entry: SupportAccess) {
    let body = match serde_json::to_string(&entry) {
        Ok(body) => body,
        Err(e) => return tracing::warn!(error = %e, "support access entry not serialisable"),
    };
    let key = cache.key(LIST);
    let pushed = async {
        let mut conn = cache.conn().await?;
        let _: () = redis::pipe()
            .cmd("LPUSH")
            .arg(&key)
            .arg(body)
            .ignore()
            .cmd("LTRIM")
            .arg(&key)
            .arg(0)
            .arg(MAX_PENDING - 1)
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok::<_, lawos_cache::CacheError>(())
    };
    if let Err(e) = pushed.await {
        tracing::warn!(error = %e, sid = %entry.session_id, "support access not queued (logged only)");
    }
}

/// The middleware (inside `Authenticate`, which puts the principal in place).
pub async fn record(
    cache: Option<Cache>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let entry = req
        .extensions()
        .get::<lawos_auth::Principal>()
        .and_then(|p| {
            Some(SupportAccess {
                session_id: p.session_id.clone()?,
                user_id: p.subject.clone(),
                act_as: p.act_as.clone()?,
                firm_id: p.firm_id.map(|f| f.0),
                service: service_of(req.path()),
                method: req.method().to_string(),
                path: req.path().to_owned(),
                status: 0,
                at: Utc::now(),
            })
        });
    let res = next.call(req).await?;
    if let Some(mut entry) = entry {
        entry.status = res.status().as_u16();
        tracing::info!(target: "lawos::support_access", sid = %entry.session_id,
            user_id = %entry.user_id, act_as = %entry.act_as, method = %entry.method,
            path = %entry.path, status = entry.status, "request under a support session");
        if let Some(cache) = cache {
            tokio::spawn(push(cache, entry));
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_comes_from_the_path() {
        assert_eq!(service_of("/api/v1/tenants/x"), "tenants");
        assert_eq!(service_of("/api/v1/rbac"), "rbac");
        assert_eq!(service_of("/oauth/token"), "auth");
    }
}
