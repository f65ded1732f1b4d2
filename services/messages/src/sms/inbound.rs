//! A verified Telnyx delivery, taken in once per event id:
//!
//! - `message.received`: the firm is the owner of the receiving number (`to`,
//!   looked up in `sms_numbers` across firms), never what the payload says of
//!   itself; the sender is the firm's contact holding that number (asked of
//!   contacts), and the message lands on that contact's SMS channel, or the
//!   firm's intake channel when no contact has it (asked of channels); it is
//!   an `INBOUND` message with `message.received`;
//! - `message.sent` / `message.finalized`: a delivery receipt ([`super::receipts`]);
//! - anything else, or a number no firm uses: acknowledged and dropped.
//!
//! Contacts and channels are asked before anything is written; when either is
//! unavailable the delivery is answered 503 and nothing is kept, so Telnyx's
//! retry brings it again.

use chrono::Utc;
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_telnyx::{WebhookEvent, WebhookMessage};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{SmsState, receipts};
use crate::events;
use crate::input::messages::BODY_MAX;
use crate::model::{DELIVERED, INBOUND, Message};
use crate::storage::{messages, sms};

/// What became of a delivery (the webhook's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Taken {
    /// `STORED`, `DUPLICATE` or `IGNORED`.
    pub status: &'static str,
    /// Why it was ignored: `EVENT_TYPE_NOT_HANDLED`, `UNKNOWN_NUMBER`, `UNKNOWN_MESSAGE`, `NO_CHANGE`.
    pub reason: Option<&'static str>,
    pub message_id: Option<Uuid>,
}

impl Taken {
    pub fn stored(id: Uuid) -> Self {
        Self {
            status: "STORED",
            reason: None,
            message_id: Some(id),
        }
    }

    pub fn duplicate() -> Self {
        Self {
            status: "DUPLICATE",
            reason: None,
            message_id: None,
        }
    }

    pub fn ignored(reason: &'static str) -> Self {
        Self {
            status: "IGNORED",
            reason: Some(reason),
            message_id: None,
        }
    }
}

/// 422: a signed delivery that is not the message Telnyx documents.
pub fn unreadable(e: &serde_json::Error) -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        "The delivery is not a Telnyx messaging event",
    )
    .with_details(json!({ "reason": e.to_string() }))
}

/// The firm using `number` (platform read of `sms_numbers`).
pub async fn firm_of(state: &SmsState, number: &str) -> Result<Option<FirmId>, ApiError> {
    let number = number.to_owned();
    let firm = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { sms::firm_of_number(conn, &number).await }.scope_boxed()
    })
    .await?;
    Ok(firm.map(FirmId))
}

pub async fn take(state: &SmsState, event: &WebhookEvent) -> Result<Taken, ApiError> {
    match event.event_type.as_str() {
        "message.received" => {
            let m = event.message().map_err(|e| unreadable(&e))?;
            received(state, event, &m).await
        }
        "message.sent" | "message.finalized" => {
            let m = event.message().map_err(|e| unreadable(&e))?;
            receipts::take(state, event, &m).await
        }
        _ => Ok(Taken::ignored("EVENT_TYPE_NOT_HANDLED")),
    }
}

/// The body an inbound SMS is kept with (an MMS may carry no text).
fn body_of(m: &WebhookMessage) -> String {
    let text = m.text.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        "(a message without text)".to_owned()
    } else {
        text.chars().take(BODY_MAX).collect()
    }
}

async fn received(
    state: &SmsState,
    event: &WebhookEvent,
    m: &WebhookMessage,
) -> Result<Taken, ApiError> {
    let mut receiving = None;
    for to in &m.to {
        if let Some(firm) = firm_of(state, &to.phone_number).await? {
            receiving = Some((firm, to.phone_number.clone()));
            break;
        }
    }
    let Some((firm, number)) = receiving else {
        tracing::warn!(event_id = %event.id, "inbound SMS to a number no firm uses");
        return Ok(Taken::ignored("UNKNOWN_NUMBER"));
    };
    let ctx = TenantCtx::firm(firm, None);
    let event_id = event.id.clone();
    let seen = with_tenant(&state.db, &ctx, |conn| {
        async move { sms::event_seen(conn, &event_id).await }.scope_boxed()
    })
    .await?;
    if seen {
        return Ok(Taken::duplicate());
    }
    let from = m.from.phone_number.clone();
    let contact = state.contacts.by_phone(firm, &from).await?;
    let channel = state.channels.sms_channel(firm, contact, &from).await?;
    if channel.firm_id != firm.0 {
        return Err(ApiError::unavailable(
            "the channels service answered another firm's channel",
        ));
    }
    let now = Utc::now();
    let message = Message {
        id: Uuid::now_v7(),
        firm_id: firm.0,
        channel_id: channel.id,
        context_type: channel.context_type.clone(),
        context_id: channel.context_id,
        channel_kind: channel.kind.clone(),
        direction: INBOUND.to_owned(),
        body: body_of(m),
        sender_user_id: None,
        sender_contact_id: contact,
        firm_number: Some(number),
        peer_phone: Some(from),
        attachments: Vec::new(),
        delivery_status: DELIVERED.to_owned(),
        provider_message_id: Some(m.id.clone()),
        delivery_error: None,
        status_changed_at: now,
        edited_at: None,
        deleted_at: None,
        deleted_by: None,
        created_at: now,
        updated_at: now,
    };
    let (event_id, event_type, provider_id) =
        (event.id.clone(), event.event_type.clone(), m.id.clone());
    with_tenant(&state.db, &ctx, |conn| {
        async move {
            if !sms::take_event(
                conn,
                firm.0,
                &event_id,
                &event_type,
                Some(&provider_id),
                Some(message.id),
            )
            .await?
                || messages::by_provider_id(conn, &provider_id)
                    .await?
                    .is_some()
            {
                return Err(Duplicate.into());
            }
            let stored = messages::insert(conn, message).await?;
            events::received(conn, &stored).await?;
            Ok(Taken::stored(stored.id))
        }
        .scope_boxed()
    })
    .await
    .or_else(|e| {
        if e.message == DUPLICATE {
            Ok(Taken::duplicate())
        } else {
            Err(e)
        }
    })
}

const DUPLICATE: &str = "telnyx event taken in already";

/// Rolls the transaction back when the event was taken in concurrently.
struct Duplicate;

impl From<Duplicate> for ApiError {
    fn from(_: Duplicate) -> Self {
        ApiError::new(ErrorCode::ResourceAlreadyExists, DUPLICATE)
    }
}
