//! Delivery receipts: `message.sent` (handed to the carrier: `SENT`) and
//! `message.finalized` (the recipient's final state: `delivered` →
//! `DELIVERED`, `sending_failed` / `delivery_failed` → `FAILED` with Telnyx's
//! errors). The firm is the owner of the sending number (`from`); the message
//! is the firm's one with Telnyx's message id. A state never moves back
//! (receipts can arrive out of order); each change is a
//! `message.delivery_updated` event. Each event id is taken once.

use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_telnyx::{Delivery, WebhookEvent, WebhookMessage};

use super::SmsState;
use super::inbound::{Taken, firm_of};
use crate::events;
use crate::model::{DELIVERED, FAILED, SENT, status_rank};
use crate::storage::{messages, sms};

/// The state a receipt reports, if it reports one.
fn reported(event_type: &str, m: &WebhookMessage) -> Option<&'static str> {
    let recipient = m.to.first().map(|r| r.delivery());
    match (event_type, recipient) {
        ("message.sent", _) | ("message.finalized", Some(Delivery::Sent)) => Some(SENT),
        ("message.finalized", Some(Delivery::Delivered)) => Some(DELIVERED),
        ("message.finalized", Some(Delivery::Failed)) => Some(FAILED),
        _ => None,
    }
}

pub async fn take(
    state: &SmsState,
    event: &WebhookEvent,
    m: &WebhookMessage,
) -> Result<Taken, ApiError> {
    let Some(firm) = firm_of(state, &m.from.phone_number).await? else {
        tracing::warn!(event_id = %event.id, "delivery receipt from a number no firm uses");
        return Ok(Taken::ignored("UNKNOWN_NUMBER"));
    };
    let status = reported(&event.event_type, m);
    let error = m.error_text();
    let (event_id, event_type, provider_id) =
        (event.id.clone(), event.event_type.clone(), m.id.clone());
    with_tenant(&state.db, &TenantCtx::firm(firm, None), |conn| {
        async move {
            let found = messages::by_provider_id(conn, &provider_id).await?;
            let taken = sms::take_event(
                conn,
                firm.0,
                &event_id,
                &event_type,
                Some(&provider_id),
                found.as_ref().map(|f| f.id),
            )
            .await?;
            if !taken {
                return Ok(Taken::duplicate());
            }
            let Some(message) = found else {
                return Ok(Taken::ignored("UNKNOWN_MESSAGE"));
            };
            let Some(status) =
                status.filter(|s| status_rank(s) > status_rank(&message.delivery_status))
            else {
                return Ok(Taken {
                    reason: Some("NO_CHANGE"),
                    ..Taken::stored(message.id)
                });
            };
            let error = (status == FAILED).then_some(error).flatten();
            let changed = messages::set_delivery(
                conn,
                message.id,
                status,
                Some(&provider_id),
                error.as_deref(),
                Utc::now(),
            )
            .await?;
            events::delivery_updated(conn, &changed).await?;
            Ok(Taken::stored(changed.id))
        }
        .scope_boxed()
    })
    .await
}
