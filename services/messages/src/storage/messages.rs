//! Queries of `messages.messages` and `messages.message_edits`, inside the
//! firm's transaction (row-level security keeps them to the firm).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Message, MessageEdit};
use crate::schema::{message_edits, messages};

/// A list position: newest first by creation, then id.
pub type Before = Option<(DateTime<Utc>, Uuid)>;

pub async fn insert(conn: &mut AsyncPgConnection, m: Message) -> Result<Message, ApiError> {
    Ok(diesel::insert_into(messages::table)
        .values(m)
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// A message that is not deleted.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Message>, ApiError> {
    Ok(messages::table
        .find(id)
        .filter(messages::deleted_at.is_null())
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locked for a change.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Message>, ApiError> {
    Ok(messages::table
        .find(id)
        .filter(messages::deleted_at.is_null())
        .select(Message::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The message Telnyx knows as `provider_id`, locked for a receipt.
pub async fn by_provider_id(
    conn: &mut AsyncPgConnection,
    provider_id: &str,
) -> Result<Option<Message>, ApiError> {
    Ok(messages::table
        .filter(messages::provider_message_id.eq(provider_id))
        .select(Message::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// One page of a channel's thread (`limit + 1` rows), newest first.
pub async fn thread(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    before: Before,
    limit: i64,
) -> Result<Vec<Message>, ApiError> {
    let mut q = messages::table
        .filter(messages::channel_id.eq(channel))
        .filter(messages::deleted_at.is_null())
        .select(Message::as_select())
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            messages::created_at
                .lt(at)
                .or(messages::created_at.eq(at).and(messages::id.lt(id))),
        );
    }
    Ok(q.load(conn).await?)
}

pub async fn count_thread(conn: &mut AsyncPgConnection, channel: Uuid) -> Result<i64, ApiError> {
    Ok(messages::table
        .filter(messages::channel_id.eq(channel))
        .filter(messages::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// One page of every message of a matter or contact (`limit + 1` rows), newest first.
pub async fn by_context(
    conn: &mut AsyncPgConnection,
    context_type: &str,
    context_id: Uuid,
    before: Before,
    limit: i64,
) -> Result<Vec<Message>, ApiError> {
    let mut q = messages::table
        .filter(messages::context_type.eq(context_type.to_owned()))
        .filter(messages::context_id.eq(context_id))
        .filter(messages::deleted_at.is_null())
        .select(Message::as_select())
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            messages::created_at
                .lt(at)
                .or(messages::created_at.eq(at).and(messages::id.lt(id))),
        );
    }
    Ok(q.load(conn).await?)
}

pub async fn count_context(
    conn: &mut AsyncPgConnection,
    context_type: &str,
    context_id: Uuid,
) -> Result<i64, ApiError> {
    Ok(messages::table
        .filter(messages::context_type.eq(context_type.to_owned()))
        .filter(messages::context_id.eq(context_id))
        .filter(messages::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Replaces the body, keeping the previous one in `message_edits`.
pub async fn edit(
    conn: &mut AsyncPgConnection,
    old: &Message,
    body: String,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Message, ApiError> {
    diesel::insert_into(message_edits::table)
        .values(MessageEdit {
            id: Uuid::now_v7(),
            firm_id: old.firm_id,
            message_id: old.id,
            previous_body: old.body.clone(),
            edited_by: by,
            edited_at: now,
        })
        .execute(conn)
        .await?;
    Ok(diesel::update(messages::table.find(old.id))
        .set((
            messages::body.eq(body),
            messages::edited_at.eq(now),
            messages::updated_at.eq(now),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// A message's previous bodies, newest first.
pub async fn edits(
    conn: &mut AsyncPgConnection,
    message: Uuid,
) -> Result<Vec<MessageEdit>, ApiError> {
    Ok(message_edits::table
        .filter(message_edits::message_id.eq(message))
        .select(MessageEdit::as_select())
        .order((message_edits::edited_at.desc(), message_edits::id.desc()))
        .load(conn)
        .await?)
}

pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Message, ApiError> {
    Ok(diesel::update(messages::table.find(id))
        .set((
            messages::deleted_at.eq(now),
            messages::deleted_by.eq(by),
            messages::updated_at.eq(now),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// A new delivery state (and what the provider said).
pub async fn set_delivery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    provider_id: Option<&str>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Message, ApiError> {
    Ok(diesel::update(messages::table.find(id))
        .set((
            messages::delivery_status.eq(status),
            messages::provider_message_id.eq(provider_id),
            messages::delivery_error.eq(error),
            messages::status_changed_at.eq(now),
            messages::updated_at.eq(now),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// Records a retryable failure on a message still queued.
pub async fn note_error(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(messages::table.find(id))
        .set((
            messages::delivery_error.eq(error),
            messages::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
