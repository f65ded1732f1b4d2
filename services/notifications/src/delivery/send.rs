//! One attempt at one delivery: the recipient looked up (and still active,
//! and still allowed to see the notification), the message rendered from the
//! templates and handed to the mailer.

use chrono::{Duration, Utc};
use lawos_core::{FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;

use crate::access;
use crate::catalogue::kind_of;
use crate::mail::{Mail, SendError};
use crate::model::{Delivery, KIND_DIGEST, Notification};
use crate::state::NotifyState;
use crate::storage::directory::{self, Contact};
use crate::storage::notifications::{self as stored, ListFilter};
use crate::storage::preferences::{self, FirmSettings};

/// The most notifications one digest lists.
const DIGEST_ITEMS: i64 = 50;

struct Loaded {
    contact: Contact,
    firm: FirmSettings,
    notification: Option<Notification>,
    digest: Vec<Notification>,
}

fn transient(e: impl std::fmt::Display) -> SendError {
    SendError {
        message: e.to_string(),
        retryable: true,
    }
}

async fn load(state: &NotifyState, d: &Delivery) -> Result<Loaded, SendError> {
    let (user, notification_id, digest) = (d.user_id, d.notification_id, d.kind == KIND_DIGEST);
    let visibility = access::visibility_of(&state.authz, FirmId(d.firm_id), UserId(user))
        .await
        .map_err(transient)?;
    with_tenant(
        &state.db,
        &TenantCtx::firm(FirmId(d.firm_id), None),
        |conn| {
            async move {
                let now = Utc::now();
                let contact = directory::contact(conn, user).await?;
                let firm = preferences::firm_settings(conn).await?;
                let notification = match notification_id {
                    Some(id) => stored::find(conn, user, id, &visibility, now).await?,
                    None => None,
                };
                let mut items = Vec::new();
                if digest {
                    let since = preferences::settings(conn, user)
                        .await?
                        .and_then(|s| s.last_digest_at)
                        .unwrap_or(now - Duration::hours(24));
                    let filter = ListFilter {
                        unread: true,
                        ..ListFilter::default()
                    };
                    items = stored::list(conn, user, &visibility, &filter, DIGEST_ITEMS - 1, now)
                        .await?;
                    items.retain(|n| n.created_at > since);
                }
                Ok(Loaded {
                    contact,
                    firm,
                    notification,
                    digest: items,
                })
            }
            .scope_boxed()
        },
    )
    .await
    .map_err(transient)
}

fn sender(state: &NotifyState, firm: &FirmSettings) -> String {
    match (&firm.from_address, &firm.from_name) {
        (Some(addr), Some(name)) => format!("{} <{addr}>", name.replace(['<', '>', '"'], "")),
        (Some(addr), None) => addr.clone(),
        _ => state.config.mail_from.clone(),
    }
}

/// Sends `d`; the address used and what the provider answered.
pub async fn send(state: &NotifyState, d: &Delivery) -> Result<(String, String), SendError> {
    if d.channel != "EMAIL" {
        return Err(SendError::permanent(
            "SMS is not configured on this platform",
        ));
    }
    let loaded = load(state, d).await?;
    if !loaded.contact.active {
        return Err(SendError::permanent(
            "the recipient is not an active member of the firm",
        ));
    }
    let to = loaded
        .contact
        .email
        .clone()
        .ok_or_else(|| SendError::permanent("no e-mail address is known for the recipient"))?;
    let firm_name = loaded
        .firm
        .from_name
        .clone()
        .unwrap_or_else(|| "LawOS".to_owned());
    let (subject, body) = if d.kind == KIND_DIGEST {
        if loaded.digest.is_empty() {
            return Err(SendError::permanent("nothing unread to put in the digest"));
        }
        let items: Vec<_> = loaded
            .digest
            .iter()
            .map(|n| json!({ "title": n.title, "body": n.body, "count": n.count }))
            .collect();
        let subject = format!("Your LawOS digest: {} unread", items.len());
        let body = state
            .templates
            .render("digest", &json!({ "items": items, "firm_name": firm_name }))
            .map_err(|e| SendError::permanent(format!("template: {e}")))?;
        (subject, body)
    } else {
        let n = loaded.notification.ok_or_else(|| {
            SendError::permanent("the notification is gone or no longer visible to the recipient")
        })?;
        let mandatory = kind_of(&n.kind).is_some_and(|k| k.mandatory);
        let body = state
            .templates
            .render(
                "notification",
                &json!({ "title": n.title, "body": n.body, "count": n.count, "resource_type": n.resource_type,
                         "resource_id": n.resource_id, "firm_name": firm_name, "mandatory": mandatory }),
            )
            .map_err(|e| SendError::permanent(format!("template: {e}")))?;
        (n.title, body)
    };
    let mail = Mail {
        id: d.id,
        from: sender(state, &loaded.firm),
        to: to.clone(),
        to_name: loaded.contact.name.clone(),
        subject,
        body,
    };
    let answer = state.mailer.send(&mail).await?;
    if d.kind == KIND_DIGEST {
        digest_sent(state, d).await;
    }
    Ok((to, answer))
}

async fn digest_sent(state: &NotifyState, d: &Delivery) {
    let (firm, user) = (d.firm_id, d.user_id);
    let done = with_tenant(&state.db, &TenantCtx::firm(FirmId(firm), None), |conn| {
        async move { super::digest::mark_sent(conn, user, Utc::now()).await }.scope_boxed()
    })
    .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, %user, "digest time not recorded");
    }
}
