//! What a service contributes to an app: its routes, its OpenAPI document and its
//! readiness checks. A service's own binary mounts one; the all-in-one mounts all.

use actix_web::web;
use std::sync::Arc;

use crate::health::ReadinessCheck;

pub struct Mount {
    pub name: &'static str,
    pub configure: Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>,
    pub openapi: serde_json::Value,
    pub readiness: Vec<Arc<dyn ReadinessCheck>>,
}

impl Clone for Mount {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            configure: self.configure.clone(),
            openapi: self.openapi.clone(),
            readiness: self.readiness.clone(),
        }
    }
}
