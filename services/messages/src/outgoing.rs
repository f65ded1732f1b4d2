//! What a message sent by a user becomes, from its channel: the channel's
//! context and kind copied, `INTERNAL` on internal channels and `OUTBOUND` on
//! the others; in-app messages (INTERNAL, PORTAL) are `DELIVERED` when stored,
//! an SMS is `QUEUED` for the send worker (or `FAILED` at once when there is
//! nothing to send it with). EMAIL channels are not sent on from here.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::clients::channels::Channel;
use crate::input::messages::ValidSend;
use crate::model::{DELIVERED, EMAIL, FAILED, INTERNAL, Message, OUTBOUND, QUEUED, SMS};

/// Why an SMS fails before any attempt.
pub const NOT_CONFIGURED: &str = "TELNYX_NOT_CONFIGURED: outbound SMS needs LAWOS_TELNYX_API_KEY and LAWOS_TELNYX_MESSAGING_PROFILE_ID";
pub const NO_NUMBER: &str =
    "NO_SMS_NUMBER: the firm has no SMS number to send from (POST /api/v1/messages/sms-numbers)";

/// 422 naming `channelId` (a body field).
pub fn channel_error(message: impl Into<String>) -> ApiError {
    FieldErrors::single("channelId", ErrorCode::ResourceNotFound, message).into()
}

/// How an SMS will go out.
#[derive(Debug, Clone)]
pub struct SmsRoute {
    pub to: String,
    /// The firm's number to send from, if it has one.
    pub from: Option<String>,
    pub sending_configured: bool,
}

/// The SMS part of a send: the recipient, the body's size, no attachments.
pub fn check_sms(channel: &Channel, input: &ValidSend) -> Result<String, ApiError> {
    let mut errors = FieldErrors::new();
    let to = channel.sms_recipient().map(|(_, phone)| phone);
    if to.is_none() {
        errors.add(
            "channelId",
            ErrorCode::InvalidFieldFormat,
            "the channel has no contact with a phone number to send to",
        );
    }
    let parts = lawos_telnyx::sms::segments(&input.body).parts;
    if parts > lawos_telnyx::sms::MAX_PARTS {
        errors.add(
            "body",
            ErrorCode::InvalidFieldFormat,
            format!(
                "an SMS takes at most {} parts (1,530 GSM-7 characters or 670 others); this one takes {parts}",
                lawos_telnyx::sms::MAX_PARTS
            ),
        );
    }
    if !input.attachments.is_empty() {
        errors.add(
            "attachments",
            ErrorCode::InvalidFieldFormat,
            "an SMS carries no attachments",
        );
    }
    errors.into_result()?;
    Ok(to.unwrap_or_default())
}

/// The message as it is stored.
pub fn message(
    channel: &Channel,
    input: ValidSend,
    sender: Option<Uuid>,
    sms: Option<&SmsRoute>,
    now: DateTime<Utc>,
) -> Result<Message, ApiError> {
    if channel.kind == EMAIL {
        return Err(channel_error(
            "messages are not sent on EMAIL channels from this service",
        ));
    }
    let (status, error, firm_number, peer_phone) = match sms {
        None => (DELIVERED, None, None, None),
        Some(route) => {
            let (status, error) = match (&route.from, route.sending_configured) {
                (_, false) => (FAILED, Some(NOT_CONFIGURED)),
                (None, true) => (FAILED, Some(NO_NUMBER)),
                (Some(_), true) => (QUEUED, None),
            };
            (status, error, route.from.clone(), Some(route.to.clone()))
        }
    };
    Ok(Message {
        id: Uuid::now_v7(),
        firm_id: channel.firm_id,
        channel_id: channel.id,
        context_type: channel.context_type.clone(),
        context_id: channel.context_id,
        channel_kind: channel.kind.clone(),
        direction: if channel.kind == INTERNAL {
            INTERNAL
        } else {
            OUTBOUND
        }
        .to_owned(),
        body: input.body,
        sender_user_id: sender,
        sender_contact_id: None,
        firm_number,
        peer_phone,
        attachments: input.attachments,
        delivery_status: status.to_owned(),
        provider_message_id: None,
        delivery_error: error.map(str::to_owned),
        status_changed_at: now,
        edited_at: None,
        deleted_at: None,
        deleted_by: None,
        created_at: now,
        updated_at: now,
    })
}

/// Whether `channel` is an SMS channel.
pub fn is_sms(channel: &Channel) -> bool {
    channel.kind == SMS
}
