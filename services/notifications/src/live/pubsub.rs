//! The live channel on Redis: [`Live::publish`] from whichever instance made
//! the change, [`Live::worker`] on every instance delivering to its sessions.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_redis::redis::{self, AsyncCommands};
use futures_util::StreamExt;
use lawos_cache::Cache;
use lawos_http::runtime::{Shutdown, Worker};

use super::LiveMessage;
use super::hub::Hub;

/// Publishing and subscribing for one instance.
pub struct Live {
    pub hub: Arc<Hub>,
    cache: Option<Cache>,
    redis_url: String,
    channel: String,
    /// Subscriptions started (the first one and each reconnect).
    sessions: AtomicU64,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl Live {
    pub fn new(cache: Option<Cache>, redis_url: &str, prefix: &str) -> Self {
        let channel = if prefix.is_empty() {
            "notifications:live".to_owned()
        } else {
            format!("{}:notifications:live", prefix.trim_end_matches(':'))
        };
        Self {
            hub: Arc::new(Hub::default()),
            cache,
            redis_url: redis_url.to_owned(),
            channel,
            sessions: AtomicU64::new(0),
        }
    }

    pub fn subscriptions(&self) -> u64 {
        self.sessions.load(Ordering::Relaxed)
    }

    /// Sends `message` to every instance; without Redis, to this one only.
    pub async fn publish(&self, message: &LiveMessage) {
        let Ok(body) = serde_json::to_string(message) else {
            return;
        };
        let published = match &self.cache {
            Some(cache) => match cache.conn().await {
                Ok(mut conn) => conn
                    .publish::<_, _, i64>(&self.channel, body)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            None => Err("no Redis configured".to_owned()),
        };
        if let Err(e) = published {
            tracing::warn!(error = %e, "live channel unavailable; this instance's sessions only");
            self.hub.deliver(message);
        }
    }

    /// Sends each of `messages` to every instance, in one Redis pipeline;
    /// without Redis, to this one only.
    pub async fn publish_all(&self, messages: &[LiveMessage]) {
        match messages {
            [] => return,
            [one] => return self.publish(one).await,
            _ => {}
        }
        let mut pipe = redis::pipe();
        for message in messages {
            if let Ok(body) = serde_json::to_string(message) {
                pipe.publish(&self.channel, body).ignore();
            }
        }
        let published = match &self.cache {
            Some(cache) => match cache.conn().await {
                Ok(mut conn) => pipe
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            None => Err("no Redis configured".to_owned()),
        };
        if let Err(e) = published {
            tracing::warn!(error = %e, "live channel unavailable; this instance's sessions only");
            for message in messages {
                self.hub.deliver(message);
            }
        }
    }

    async fn session(
        &self,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<(), String> {
        let client = redis::Client::open(self.redis_url.as_str()).map_err(|e| e.to_string())?;
        let mut pubsub = client.get_async_pubsub().await.map_err(|e| e.to_string())?;
        pubsub
            .subscribe(&self.channel)
            .await
            .map_err(|e| e.to_string())?;
        self.sessions.fetch_add(1, Ordering::Relaxed);
        tracing::info!(channel = %self.channel, "live channel subscribed");
        let mut messages = pubsub.on_message();
        loop {
            let next = tokio::select! {
                () = shutdown.as_mut() => return Ok(()),
                next = messages.next() => next,
            };
            let Some(msg) = next else {
                return Err("subscription ended".to_owned());
            };
            let Ok(payload) = msg.get_payload::<String>() else {
                continue;
            };
            match serde_json::from_str::<LiveMessage>(&payload) {
                Ok(message) => {
                    self.hub.deliver(&message);
                }
                Err(e) => tracing::warn!(error = %e, "undecodable live message ignored"),
            }
        }
    }

    /// The subscription as a worker, reconnecting with backoff.
    pub fn worker(self: Arc<Self>) -> Worker {
        Box::new(move |shutdown: Shutdown| {
            Box::pin(async move {
                let mut shutdown = std::pin::pin!(shutdown.wait());
                let mut delay = Duration::from_millis(200);
                loop {
                    match self.session(&mut shutdown).await {
                        Ok(()) => return,
                        Err(e) => tracing::warn!(error = %e, "live channel lost; reconnecting"),
                    }
                    tokio::select! {
                        () = shutdown.as_mut() => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            })
        })
    }
}
