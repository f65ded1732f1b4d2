//! Notifications: created (or gathered into an open burst), listed newest
//! first, counted and marked read, removed once expired.
//!
//! Every query of one person's rows names their firm as well as their user id:
//! the table's policy (`firm_id = <firm> OR <all firms>`) is not an index
//! condition, so without `firm_id = $1` in the query itself the planner cannot
//! use the `(firm_id, user_id, …)` indexes and scans every firm's rows.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::access::Visibility;
use crate::model::Notification;
use crate::schema::notifications;

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub unread: bool,
    pub kind: Option<String>,
    pub after: Option<Uuid>,
}

/// Inserts `new`, or, when it has a group key and the recipient has an unread
/// notification of that key started within `window`, adds it to that one
/// (count + 1, `data` merged, `title` from `title_of(count)`). The recipient's
/// key is locked for the transaction, so concurrent consumers gather too.
/// Answers the row and whether it is new.
pub async fn insert_or_gather(
    conn: &mut AsyncPgConnection,
    new: Notification,
    window: chrono::Duration,
    title_of: impl Fn(i32) -> String,
) -> Result<(Notification, bool), ApiError> {
    let Some(key) = new.group_key.clone() else {
        let row = diesel::insert_into(notifications::table)
            .values(&new)
            .returning(Notification::as_returning())
            .get_result(conn)
            .await?;
        return Ok((row, true));
    };
    diesel::sql_query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("{}:{}:{key}", new.firm_id, new.user_id))
        .execute(conn)
        .await?;
    let open: Option<Notification> = notifications::table
        .filter(notifications::firm_id.eq(new.firm_id))
        .filter(notifications::user_id.eq(new.user_id))
        .filter(notifications::group_key.eq(&key))
        .filter(notifications::read_at.is_null())
        .filter(notifications::created_at.gt(new.created_at - window))
        .order(notifications::created_at.desc())
        .select(Notification::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(open) = open else {
        let row = diesel::insert_into(notifications::table)
            .values(&new)
            .returning(Notification::as_returning())
            .get_result(conn)
            .await?;
        return Ok((row, true));
    };
    let mut data = open.data.clone();
    if let (Some(into), Some(from)) = (data.as_object_mut(), new.data.as_object()) {
        into.extend(from.clone());
    }
    let count = open.count.saturating_add(1);
    let row = diesel::update(notifications::table.find(open.id))
        .set((
            notifications::count.eq(count),
            notifications::title.eq(title_of(count)),
            notifications::data.eq(data),
            notifications::updated_at.eq(new.created_at),
        ))
        .returning(Notification::as_returning())
        .get_result(conn)
        .await?;
    Ok((row, false))
}

/// Inserts `rows` (none with a group key) in one statement.
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    rows: &[Notification],
) -> Result<Vec<Notification>, ApiError> {
    Ok(diesel::insert_into(notifications::table)
        .values(rows)
        .returning(Notification::as_returning())
        .get_results(conn)
        .await?)
}

/// `user`'s visible notifications, newest first, `limit + 1` rows.
pub async fn list(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    visibility: &Visibility,
    filter: &ListFilter,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Notification>, ApiError> {
    let mut q = notifications::table
        .filter(notifications::firm_id.eq(firm))
        .filter(notifications::user_id.eq(user))
        .filter(notifications::expires_at.gt(now))
        .filter(visibility.predicate())
        .select(Notification::as_select())
        .order(notifications::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if filter.unread {
        q = q.filter(notifications::read_at.is_null());
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(notifications::kind.eq(kind.clone()));
    }
    if let Some(after) = filter.after {
        q = q.filter(notifications::id.lt(after));
    }
    Ok(q.load(conn).await?)
}

/// How many notifications [`list`] shows in all (without the cursor).
pub async fn count(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    visibility: &Visibility,
    filter: &ListFilter,
    now: DateTime<Utc>,
) -> Result<i64, ApiError> {
    let mut q = notifications::table
        .filter(notifications::firm_id.eq(firm))
        .filter(notifications::user_id.eq(user))
        .filter(notifications::expires_at.gt(now))
        .filter(visibility.predicate())
        .count()
        .into_boxed();
    if filter.unread {
        q = q.filter(notifications::read_at.is_null());
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(notifications::kind.eq(kind.clone()));
    }
    Ok(q.get_result(conn).await?)
}

/// Unread and visible: answered from the partial index on unread rows alone.
pub async fn unread_count(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    visibility: &Visibility,
    now: DateTime<Utc>,
) -> Result<i64, ApiError> {
    count(
        conn,
        firm,
        user,
        visibility,
        &ListFilter {
            unread: true,
            ..ListFilter::default()
        },
        now,
    )
    .await
}

/// One of `user`'s visible notifications.
pub async fn find(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    id: Uuid,
    visibility: &Visibility,
    now: DateTime<Utc>,
) -> Result<Option<Notification>, ApiError> {
    Ok(notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::firm_id.eq(firm))
        .filter(notifications::user_id.eq(user))
        .filter(notifications::expires_at.gt(now))
        .filter(visibility.predicate())
        .select(Notification::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Marks one notification read (once: a read one keeps its `readAt`).
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Notification>, ApiError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::firm_id.eq(firm))
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .returning(Notification::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Marks every unread notification of `user` read, in one statement; how many.
pub async fn mark_all_read(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::firm_id.eq(firm))
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
    .await?)
}

/// Deletes up to `batch` expired notifications (their deliveries go with them).
pub async fn delete_expired(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<usize, ApiError> {
    let ids: Vec<Uuid> = notifications::table
        .filter(notifications::expires_at.le(now))
        .select(notifications::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::delete(notifications::table.filter(notifications::id.eq_any(&ids)))
            .execute(conn)
            .await?,
    )
}

/// Records the channels a notification went out on.
pub async fn set_channels(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    channels: &[String],
) -> Result<(), ApiError> {
    diesel::update(notifications::table.find(id))
        .set(notifications::channels.eq(channels))
        .execute(conn)
        .await?;
    Ok(())
}
