//! A channel's last activity: set when it is created, moved forward by the
//! messages written in it (`message.sent`, `message.received`).

use chrono::{DateTime, Utc};
use diesel::ExpressionMethods;
use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::schema::channel_activity;

pub async fn start(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    channel: Uuid,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(channel_activity::table)
        .values((
            channel_activity::channel_id.eq(channel),
            channel_activity::firm_id.eq(firm),
            channel_activity::last_activity_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// `lastActivityAt = greatest(lastActivityAt, at)`; whether the channel exists.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    channel: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::sql_query(
        "update channels.channel_activity set last_activity_at = greatest(last_activity_at, $2) \
         where channel_id = $1",
    )
    .bind::<SqlUuid, _>(channel)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(n > 0)
}
