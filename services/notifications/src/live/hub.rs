//! The sessions one instance holds, by firm and user.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::LiveMessage;

/// What a session is told to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Text(String),
    Close(String),
}

type Sessions = HashMap<(Uuid, Uuid), Vec<(u64, mpsc::UnboundedSender<Frame>)>>;

#[derive(Default)]
pub struct Hub {
    sessions: Mutex<Sessions>,
    next: AtomicU64,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("sessions", &self.len())
            .finish()
    }
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new session of `user` in `firm`: its id and what it will be sent.
    pub fn register(&self, firm: Uuid, user: Uuid) -> (u64, mpsc::UnboundedReceiver<Frame>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().entry((firm, user)).or_default().push((id, tx));
        (id, rx)
    }

    pub fn unregister(&self, firm: Uuid, user: Uuid, id: u64) {
        let mut sessions = self.lock();
        if let Some(list) = sessions.get_mut(&(firm, user)) {
            list.retain(|(sid, _)| *sid != id);
            if list.is_empty() {
                sessions.remove(&(firm, user));
            }
        }
    }

    /// Open sessions on this instance.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn send(&self, firm: Option<Uuid>, user: Uuid, frame: &Frame) -> usize {
        let sessions = self.lock();
        let mut sent = 0;
        for ((f, u), list) in sessions.iter() {
            if *u != user || firm.is_some_and(|firm| firm != *f) {
                continue;
            }
            for (_, tx) in list {
                if tx.send(frame.clone()).is_ok() {
                    sent += 1;
                }
            }
        }
        sent
    }

    /// Hands `message` to the sessions it concerns; how many got it.
    pub fn deliver(&self, message: &LiveMessage) -> usize {
        match message {
            LiveMessage::Notification {
                firm_id,
                user_id,
                event,
                notification,
                unread_count,
            } => {
                let text = json!({ "type": event, "notification": notification, "unreadCount": unread_count });
                self.send(Some(*firm_id), *user_id, &Frame::Text(text.to_string()))
            }
            LiveMessage::Unread {
                firm_id,
                user_id,
                unread_count,
            } => {
                let text = json!({ "type": "unread_count", "unreadCount": unread_count });
                self.send(Some(*firm_id), *user_id, &Frame::Text(text.to_string()))
            }
            LiveMessage::Close {
                firm_id,
                user_id,
                reason,
            } => self.send(*firm_id, *user_id, &Frame::Close(reason.clone())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_reach_the_users_sessions_only() {
        let hub = Hub::default();
        let (firm, other_firm, user) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (a, mut rx_a) = hub.register(firm, user);
        let (_b, mut rx_b) = hub.register(firm, user);
        let (_c, mut rx_c) = hub.register(other_firm, user);
        let n = hub.deliver(&LiveMessage::Unread {
            firm_id: firm,
            user_id: user,
            unread_count: 3,
        });
        assert_eq!(n, 2);
        assert!(
            matches!(rx_a.try_recv().unwrap(), Frame::Text(t) if t.contains("\"unreadCount\":3"))
        );
        assert!(rx_b.try_recv().is_ok());
        assert!(rx_c.try_recv().is_err());
        let closed = hub.deliver(&LiveMessage::Close {
            firm_id: None,
            user_id: user,
            reason: "X".into(),
        });
        assert_eq!(closed, 3);
        hub.unregister(firm, user, a);
        assert_eq!(hub.len(), 2);
    }
}
