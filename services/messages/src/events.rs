//! Business events, enqueued to `messages.outbox` in the changing transaction
//! (actor, act-as and trace context from its settings), filed under the
//! matter or contact the message or comment is about (the envelope's
//! `context`). No event carries a message's or comment's body.
//!
//! - `message.sent` (OUTBOUND and INTERNAL messages): `{messageId, channelId,
//!   contextType, contextId, direction, kind, senderUserId, participantUserIds}`;
//! - `message.received` (INBOUND): `{messageId, channelId, contextType,
//!   contextId, contactId, from}`;
//! - `message.delivery_updated`: `{messageId, channelId, status,
//!   providerMessageId, error}`;
//! - `message.updated` / `message.deleted`: `{messageId, channelId, editedAt}` / `{messageId, channelId}`;
//! - `comment.created` / `.updated` / `.deleted`: `{commentId, resourceType,
//!   resourceId, parentId, authorUserId, matterId}`;
//! - `comment.mentioned`, one per mentioned user: `{commentId, resourceType,
//!   resourceId, mentionedUserId, authorUserId, matterId}`.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use lawos_events::{EntityRef, EventEnvelope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::NAME;
use crate::model::{CONTACT, MATTER, Message};

pub const MESSAGE_SENT: &str = "message.sent";
pub const MESSAGE_RECEIVED: &str = "message.received";
pub const DELIVERY_UPDATED: &str = "message.delivery_updated";
pub const MESSAGE_UPDATED: &str = "message.updated";
pub const MESSAGE_DELETED: &str = "message.deleted";
pub const COMMENT_CREATED: &str = "comment.created";
pub const COMMENT_UPDATED: &str = "comment.updated";
pub const COMMENT_DELETED: &str = "comment.deleted";
pub const COMMENT_MENTIONED: &str = "comment.mentioned";

#[derive(QueryableByName)]
struct TxContext {
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    act_as: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    traceparent: Option<String>,
}

/// Appends one event about `entity` of `firm` to the outbox.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    event_type: &str,
    entity: EntityRef,
    context: Option<EntityRef>,
    data: Value,
) -> Result<(), ApiError> {
    let tx: TxContext = diesel::sql_query(
        "select nullif(current_setting('app.user_id', true), '') as user_id, \
                nullif(current_setting('app.act_as', true), '') as act_as, \
                nullif(current_setting('app.traceparent', true), '') as traceparent",
    )
    .get_result(conn)
    .await?;
    let envelope = EventEnvelope::builder(event_type, entity)
        .firm(firm)
        .context(context)
        .user(tx.user_id.and_then(|u| u.parse().ok()))
        .act_as(tx.act_as)
        .traceparent(tx.traceparent)
        .data(data)
        .build();
    lawos_events::enqueue(conn, NAME, &envelope)
        .await
        .map_err(ApiError::internal)
}

/// The matter or contact a message is filed under.
pub fn context_of(context_type: &str, context_id: Option<Uuid>) -> Option<EntityRef> {
    match (context_type, context_id) {
        (MATTER, Some(id)) => Some(EntityRef::new("matter", id)),
        (CONTACT, Some(id)) => Some(EntityRef::new("contact", id)),
        _ => None,
    }
}

async fn about_message(
    conn: &mut AsyncPgConnection,
    m: &Message,
    event_type: &str,
    data: Value,
) -> Result<(), ApiError> {
    let context = context_of(&m.context_type, m.context_id);
    let entity = EntityRef::new("message", m.id);
    enqueue(conn, m.firm_id, event_type, entity, context, data).await
}

pub async fn sent(
    conn: &mut AsyncPgConnection,
    m: &Message,
    participant_user_ids: &[Uuid],
) -> Result<(), ApiError> {
    let data = json!({
        "messageId": m.id, "channelId": m.channel_id,
        "contextType": m.context_type, "contextId": m.context_id,
        "direction": m.direction, "kind": m.channel_kind,
        "senderUserId": m.sender_user_id, "participantUserIds": participant_user_ids,
    });
    about_message(conn, m, MESSAGE_SENT, data).await
}

pub async fn received(conn: &mut AsyncPgConnection, m: &Message) -> Result<(), ApiError> {
    let data = json!({
        "messageId": m.id, "channelId": m.channel_id,
        "contextType": m.context_type, "contextId": m.context_id,
        "contactId": m.sender_contact_id, "from": m.peer_phone,
    });
    about_message(conn, m, MESSAGE_RECEIVED, data).await
}

pub async fn delivery_updated(conn: &mut AsyncPgConnection, m: &Message) -> Result<(), ApiError> {
    let data = json!({
        "messageId": m.id, "channelId": m.channel_id, "status": m.delivery_status,
        "providerMessageId": m.provider_message_id, "error": m.delivery_error,
    });
    about_message(conn, m, DELIVERY_UPDATED, data).await
}

pub async fn updated(conn: &mut AsyncPgConnection, m: &Message) -> Result<(), ApiError> {
    let data = json!({ "messageId": m.id, "channelId": m.channel_id, "editedAt": m.edited_at });
    about_message(conn, m, MESSAGE_UPDATED, data).await
}

pub async fn deleted(conn: &mut AsyncPgConnection, m: &Message) -> Result<(), ApiError> {
    let data = json!({ "messageId": m.id, "channelId": m.channel_id });
    about_message(conn, m, MESSAGE_DELETED, data).await
}
