//! The store as a hard dependency of `/readyz`.

use futures_util::future::BoxFuture;
use lawos_http::ReadinessCheck;

use crate::ObjectStore;

/// Ready while the store answers for its bucket; reported as `s3:<bucket>`.
pub struct StoreCheck {
    name: String,
    store: ObjectStore,
}

impl StoreCheck {
    pub fn new(store: ObjectStore) -> Self {
        Self {
            name: format!("s3:{}", store.bucket()),
            store,
        }
    }
}

impl ReadinessCheck for StoreCheck {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.store.reachable().await.map_err(|e| e.to_string()) })
    }
}
