//! One attempt at one delivery: the recipient looked up (and still active,
//! and still allowed to see the notification), then an e-mail rendered from
//! the templates and handed to the mailer, or an SMS sent through Telnyx
//! (the shared `lawos-telnyx` client) to the phone of the recipient's firm
//! profile.

use chrono::{Duration, Utc};
use lawos_core::{FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;

use crate::access;
use crate::catalogue::{EMAIL, SMS, kind_of};
use crate::mail::{Mail, SendError};
use crate::model::{Delivery, KIND_DIGEST, Notification};
use crate::state::NotifyState;
use crate::storage::directory::{self, Contact};
use crate::storage::notifications::{self as stored, ListFilter};
use crate::storage::preferences::{self, FirmSettings};

/// The most notifications one digest lists.
const DIGEST_ITEMS: i64 = 50;
/// The most parts a notification SMS takes (longer texts are cut).
const SMS_PARTS: usize = 3;

/// Why an SMS delivery fails before any attempt when SMS is not set up.
pub const SMS_NOT_CONFIGURED: &str = "TELNYX_NOT_CONFIGURED: SMS needs LAWOS_TELNYX_API_KEY, LAWOS_TELNYX_MESSAGING_PROFILE_ID and LAWOS_NOTIFICATION_SMS_FROM";

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
    let (firm_id, user) = (d.firm_id, d.user_id);
    let (notification_id, digest) = (d.notification_id, d.kind == KIND_DIGEST);
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
                    Some(id) => stored::find(conn, firm_id, user, id, &visibility, now).await?,
                    None => None,
                };
                let mut items = Vec::new();
                if digest {
                    let since = preferences::settings(conn, firm_id, user)
                        .await?
                        .and_then(|s| s.last_digest_at)
                        .unwrap_or(now - Duration::hours(24));
                    let filter = ListFilter {
                        unread: true,
                        ..ListFilter::default()
                    };
                    items = stored::list(
                        conn,
                        firm_id,
                        user,
                        &visibility,
                        &filter,
                        DIGEST_ITEMS - 1,
                        now,
                    )
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
    match d.channel.as_str() {
        EMAIL => send_email(state, d).await,
        SMS if d.kind == KIND_DIGEST => Err(SendError::permanent("digests go by e-mail only")),
        SMS => send_sms(state, d).await,
        other => Err(SendError::permanent(format!(
            "no sender for the {other} channel"
        ))),
    }
}

/// `phone` as E.164 (`+` and digits, the separators auth accepts removed),
/// or why it cannot be texted.
pub fn sms_number(phone: &str) -> Result<String, String> {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    if crate::config::is_e164(&compact) {
        Ok(compact)
    } else {
        Err(format!(
            "the recipient's phone number {phone:?} is not in international form (E.164, e.g. +15551234567)"
        ))
    }
}

/// The SMS text: `{firm}: {title}`, then the body, cut to [`SMS_PARTS`] parts.
pub fn sms_text(firm_name: &str, title: &str, body: &str) -> String {
    let mut text = format!("{firm_name}: {title}");
    if !body.is_empty() && body != title {
        text.push('\n');
        text.push_str(body);
    }
    if lawos_telnyx::sms::segments(&text).parts <= SMS_PARTS {
        return text;
    }
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        chars.pop();
        let cut: String = chars.iter().collect::<String>() + "...";
        if lawos_telnyx::sms::segments(&cut).parts <= SMS_PARTS {
            return cut;
        }
    }
}

async fn send_sms(state: &NotifyState, d: &Delivery) -> Result<(String, String), SendError> {
    let sms = state
        .sms
        .as_ref()
        .ok_or_else(|| SendError::permanent(SMS_NOT_CONFIGURED))?;
    let loaded = load(state, d).await?;
    if !loaded.contact.active {
        return Err(SendError::permanent(
            "the recipient is not an active member of the firm",
        ));
    }
    let phone = loaded.contact.phone.as_deref().ok_or_else(|| {
        SendError::permanent("no phone number is known for the recipient in this firm")
    })?;
    let to = sms_number(phone).map_err(SendError::permanent)?;
    let n = loaded.notification.ok_or_else(|| {
        SendError::permanent("the notification is gone or no longer visible to the recipient")
    })?;
    let firm_name = loaded.firm.from_name.as_deref().unwrap_or("LawOS");
    let text = sms_text(firm_name, &n.title, &n.body);
    match sms
        .client
        .send_sms(&sms.from, &to, &text, &sms.profile_id)
        .await
    {
        Ok(sent) => Ok((to, sent.id)),
        Err(e) => Err(SendError {
            retryable: e.is_retryable(),
            message: e.reason().to_owned(),
        }),
    }
}

async fn send_email(state: &NotifyState, d: &Delivery) -> Result<(String, String), SendError> {
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
        async move { super::digest::mark_sent(conn, firm, user, Utc::now()).await }.scope_boxed()
    })
    .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, %user, "digest time not recorded");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_texted_in_international_form_only() {
        assert_eq!(
            sms_number("+1 (555) 123-4567").as_deref(),
            Ok("+15551234567")
        );
        assert_eq!(sms_number("+49 30.123456").as_deref(), Ok("+4930123456"));
        assert!(sms_number("555 123 4567").unwrap_err().contains("E.164"));
    }

    #[test]
    fn an_sms_is_the_title_and_body_cut_to_three_parts() {
        assert_eq!(
            sms_text("Example LLP", "Matter moved to CLOSED", "It is done."),
            "Example LLP: Matter moved to CLOSED\nIt is done."
        );
        assert_eq!(sms_text("LawOS", "Same", "Same"), "LawOS: Same");
        let long = sms_text("LawOS", "Title", &"a".repeat(2000));
        assert!(long.ends_with("..."));
        assert_eq!(lawos_telnyx::sms::segments(&long).parts, SMS_PARTS);
    }
}
