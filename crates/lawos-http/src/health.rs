//! `/livez` (the process answers) and `/readyz` (its hard dependencies answer).

use actix_web::{HttpResponse, web};
use futures_util::future::BoxFuture;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// A hard dependency that must answer for the service to be ready.
pub trait ReadinessCheck: Send + Sync {
    fn name(&self) -> &str;
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// PostgreSQL: a connection from a service's pool answers `SELECT 1`.
pub struct DbCheck {
    name: String,
    pool: lawos_db::DbPool,
}

impl DbCheck {
    /// The check of `service`'s pool, reported as `postgres:<service>`.
    pub fn new(service: &str, pool: lawos_db::DbPool) -> Self {
        Self {
            name: format!("postgres:{service}"),
            pool,
        }
    }
}

impl ReadinessCheck for DbCheck {
    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            use diesel_async::SimpleAsyncConnection;
            let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
            conn.batch_execute("SELECT 1")
                .await
                .map_err(|e| e.to_string())
        })
    }
}

#[derive(Clone, Default)]
pub struct Readiness(pub Vec<Arc<dyn ReadinessCheck>>);

pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let checks = readiness.0.iter().map(|c| async move {
        let result = tokio::time::timeout(Duration::from_secs(2), c.check())
            .await
            .unwrap_or_else(|_| Err("timed out".to_owned()));
        (c.name().to_owned(), result)
    });
    let results = futures_util::future::join_all(checks).await;
    let ready = results.iter().all(|(_, r)| r.is_ok());
    let details: serde_json::Map<String, serde_json::Value> = results
        .into_iter()
        .map(|(name, r)| {
            let v = match r {
                Ok(()) => json!("ok"),
                Err(e) => {
                    tracing::warn!(dependency = %name, error = %e, "not ready");
                    json!("unavailable")
                }
            };
            (name, v)
        })
        .collect();
    let body = json!({ "status": if ready { "ready" } else { "not_ready" }, "checks": details });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
