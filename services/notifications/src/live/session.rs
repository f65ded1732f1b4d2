//! One WebSocket session: a hello with the unread count, then every frame the
//! hub hands it, pings every heartbeat, and a close when the client goes
//! silent, when its token expires, or when its user is deactivated.

use std::sync::Arc;
use std::time::Duration;

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;
use uuid::Uuid;

use super::TOKEN_EXPIRED;
use super::hub::{Frame, Hub};

/// Unregisters a session when it ends, however it ends.
pub struct Registration {
    pub hub: Arc<Hub>,
    pub firm: Uuid,
    pub user: Uuid,
    pub id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.unregister(self.firm, self.user, self.id);
    }
}

pub struct SessionPlan {
    pub hello: String,
    /// `exp` of the token, seconds since the epoch.
    pub expires_at: i64,
    pub heartbeat: Duration,
    pub client_timeout: Duration,
}

fn until(expires_at: i64) -> Duration {
    let now = chrono::Utc::now().timestamp_millis();
    let left = expires_at.saturating_mul(1000).saturating_sub(now);
    Duration::from_millis(u64::try_from(left).unwrap_or(0))
}

fn policy(reason: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Policy,
        description: Some(reason.to_owned()),
    })
}

/// Runs the session until it closes.
pub async fn run(
    mut session: Session,
    mut stream: MessageStream,
    mut frames: UnboundedReceiver<Frame>,
    plan: SessionPlan,
    registration: Registration,
) {
    let _registration = registration;
    if session.text(plan.hello).await.is_err() {
        return;
    }
    let mut last_seen = Instant::now();
    let mut beat = tokio::time::interval(plan.heartbeat);
    beat.tick().await;
    let expiry = tokio::time::sleep(until(plan.expires_at));
    tokio::pin!(expiry);
    let reason = loop {
        tokio::select! {
            () = &mut expiry => break policy(TOKEN_EXPIRED),
            _ = beat.tick() => {
                if last_seen.elapsed() > plan.client_timeout {
                    break Some(CloseReason { code: CloseCode::Away, description: Some("TIMEOUT".into()) });
                }
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
            frame = frames.recv() => match frame {
                Some(Frame::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(Frame::Close(reason)) => break policy(&reason),
                None => break None,
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Ping(bytes))) => {
                    last_seen = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(reason))) => break reason,
                Some(Ok(_)) => last_seen = Instant::now(),
                Some(Err(_)) | None => return,
            },
        }
    };
    let _ = session.close(reason).await;
}
