//! The consumer each service runs: `permission.changed` drops the named users'
//! capabilities in this process and in Redis. Every instance subscribes with a
//! queue of its own ([`lawos_events::Broadcast`]), since each has its own
//! in-process cache; on every (re)connect the in-process cache is emptied, since
//! events sent while disconnected are not kept for it.

use std::sync::Arc;

use lawos_events::{Broadcast, BroadcastConfig, BroadcastHandler, EventEnvelope};
use lawos_http::runtime::{ServiceEnv, Shutdown, Worker};
use uuid::Uuid;

use crate::Authz;

pub const PERMISSION_CHANGED: &str = "permission.changed";

struct Invalidator(Authz);

impl BroadcastHandler for Invalidator {
    async fn on_session(&self) {
        self.0.subscribed();
    }

    async fn on_event(&self, event: EventEnvelope) {
        if event.event_type != PERMISSION_CHANGED {
            return;
        }
        let firm = event.firm_id.or_else(|| {
            event.data["firmId"]
                .as_str()
                .and_then(|f| f.parse::<Uuid>().ok())
        });
        let Some(firm) = firm else {
            tracing::warn!(event_id = %event.id, "permission.changed without a firm ignored");
            return;
        };
        let users: Vec<Uuid> = event.data["userIds"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|v| v.as_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        tracing::debug!(%firm, users = users.len(), "capabilities invalidated");
        self.0.invalidate(firm, &users).await;
    }
}

impl Authz {
    /// The `permission.changed` subscription of `service` on `amqp_url`.
    pub fn invalidation(&self, amqp_url: &str, service: &str) -> Broadcast<impl BroadcastHandler> {
        Broadcast::new(
            BroadcastConfig::new(amqp_url, service, &[PERMISSION_CHANGED]),
            Arc::new(Invalidator(self.clone())),
        )
    }

    /// The same, as one of the service's workers.
    pub fn worker(&self, env: &ServiceEnv) -> Worker {
        let subscription = self.invalidation(&env.config.amqp_url, env.name);
        Box::new(move |shutdown: Shutdown| {
            Box::pin(async move { subscription.run(shutdown.wait()).await })
        })
    }
}
