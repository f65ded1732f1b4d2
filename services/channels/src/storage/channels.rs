//! Channels: insert (with their activity and first participants), find, lock,
//! change, list (visibility decided in SQL).

use chrono::{DateTime, Utc};
use diesel::IntoSql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::upsert::DecoratableTarget;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use super::{activity, participants};
use crate::access::Visibility;
use crate::input::ListFilter;
use crate::model::{
    ChannelRow, Context, Loaded, NewChannel, NewParticipant, ParticipantRow, Party,
};
use crate::schema::{channel_activity, channel_participants, channels};

/// The channel's activity row and first participants, beside a new channel row.
async fn complete(
    conn: &mut AsyncPgConnection,
    row: ChannelRow,
    parties: &[Party],
) -> Result<Loaded, ApiError> {
    activity::start(conn, row.firm_id, row.id, row.created_at).await?;
    let rows: Vec<NewParticipant> = parties
        .iter()
        .map(|party| NewParticipant::new(row.firm_id, row.id, party, row.created_by))
        .collect();
    let participants = diesel::insert_into(channel_participants::table)
        .values(rows)
        .returning(ParticipantRow::as_returning())
        .get_results(conn)
        .await?;
    Ok(Loaded {
        last_activity_at: row.created_at,
        row,
        participants,
    })
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: NewChannel,
    parties: &[Party],
) -> Result<Loaded, ApiError> {
    let row = diesel::insert_into(channels::table)
        .values(new)
        .returning(ChannelRow::as_returning())
        .get_result(conn)
        .await?;
    complete(conn, row, parties).await
}

/// Inserts the default channel of `new`'s context and kind unless there is
/// one already (`None`: someone else's insert won).
pub async fn insert_default(
    conn: &mut AsyncPgConnection,
    new: NewChannel,
    parties: &[Party],
) -> Result<Option<Loaded>, ApiError> {
    let row = diesel::insert_into(channels::table)
        .values(new.default_of())
        .on_conflict((
            channels::firm_id,
            channels::context_type,
            channels::context_id,
            channels::kind,
        ))
        .filter_target(channels::is_default.and(channels::deleted_at.is_null()))
        .do_nothing()
        .returning(ChannelRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    match row {
        Some(row) => Ok(Some(complete(conn, row, parties).await?)),
        None => Ok(None),
    }
}

/// The channel with its active participants and activity.
async fn load(conn: &mut AsyncPgConnection, row: ChannelRow) -> Result<Loaded, ApiError> {
    let last_activity_at = channel_activity::table
        .find(row.id)
        .select(channel_activity::last_activity_at)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(row.created_at);
    let participants = participants::active(conn, &[row.id]).await?;
    Ok(Loaded {
        row,
        participants,
        last_activity_at,
    })
}

/// A channel that is not deleted.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Loaded>, ApiError> {
    let row = channels::table
        .find(id)
        .filter(channels::deleted_at.is_null())
        .select(ChannelRow::as_select())
        .first(conn)
        .await
        .optional()?;
    match row {
        Some(row) => Ok(Some(load(conn, row).await?)),
        None => Ok(None),
    }
}

/// [`find`], locking the channel row for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Loaded>, ApiError> {
    let row = channels::table
        .find(id)
        .filter(channels::deleted_at.is_null())
        .select(ChannelRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    match row {
        Some(row) => Ok(Some(load(conn, row).await?)),
        None => Ok(None),
    }
}

/// The live default channel of `context` and `kind`.
pub async fn find_default(
    conn: &mut AsyncPgConnection,
    context: Context,
    kind: &str,
) -> Result<Option<Loaded>, ApiError> {
    let mut q = channels::table
        .filter(channels::is_default)
        .filter(channels::deleted_at.is_null())
        .filter(channels::context_type.eq(context.type_name()))
        .filter(channels::kind.eq(kind))
        .select(ChannelRow::as_select())
        .into_boxed();
    q = match context.id() {
        Some(id) => q.filter(channels::context_id.eq(id)),
        None => q.filter(channels::context_id.is_null()),
    };
    match q.first(conn).await.optional()? {
        Some(row) => Ok(Some(load(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn set_title(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    title: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(channels::table.find(id))
        .set((
            channels::title.eq(title),
            channels::updated_by.eq(by),
            channels::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Archives (`Some(now)`) or restores (`None`) channel `id`.
pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    archived_at: Option<DateTime<Utc>>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(channels::table.find(id))
        .set((
            channels::archived_at.eq(archived_at),
            channels::updated_by.eq(by),
            channels::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(channels::table.find(id))
        .set((
            channels::deleted_at.eq(now),
            channels::updated_by.eq(by),
            channels::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

type Listed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<channels::table, channel_activity::table>,
    Pg,
>;

/// The channels `user` takes part in.
#[diesel::dsl::auto_type]
fn taken_part_in(user: Uuid) -> _ {
    channel_participants::table
        .filter(channel_participants::user_id.eq(user))
        .filter(channel_participants::deleted_at.is_null())
        .select(channel_participants::channel_id)
}

/// The visible channels matching `filter` (without the cursor): a matter's by
/// the matter filter, contacts' when the caller reads contacts, internal ones
/// firm-wide or those the caller takes part in.
fn listed<'a>(filter: &ListFilter, vis: &Visibility) -> Listed<'a> {
    let me = vis.user.unwrap_or_default();
    let visible = channels::context_type
        .eq("MATTER")
        .and(
            vis.matters
                .predicate(channels::context_id.assume_not_null()),
        )
        .or(channels::context_type
            .eq("CONTACT")
            .and(vis.contacts.into_sql::<Bool>()))
        .or(channels::context_type.eq("INTERNAL").and(
            vis.internal
                .into_sql::<Bool>()
                .or(channels::id.eq_any(taken_part_in(me))),
        ));
    let mut q = channels::table
        .inner_join(channel_activity::table)
        .filter(channels::deleted_at.is_null())
        .filter(visible)
        .into_boxed();
    q = if filter.archived {
        q.filter(channels::archived_at.is_not_null())
    } else {
        q.filter(channels::archived_at.is_null())
    };
    if let Some(t) = &filter.context_type {
        q = q.filter(channels::context_type.eq(t.clone()));
    }
    if let Some(id) = filter.context_id {
        q = q.filter(channels::context_id.eq(id));
    }
    if let Some(k) = &filter.kind {
        q = q.filter(channels::kind.eq(k.clone()));
    }
    if let Some(user) = filter.participant {
        q = q.filter(channels::id.eq_any(taken_part_in(user)));
    }
    q
}

/// One page (`limit + 1` rows) of the visible channels, latest activity first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    vis: &Visibility,
) -> Result<Vec<Loaded>, ApiError> {
    let mut q = listed(filter, vis)
        .select((ChannelRow::as_select(), channel_activity::last_activity_at))
        .order((
            channel_activity::last_activity_at.desc(),
            channels::id.desc(),
        ))
        .limit(filter.limit + 1);
    if let Some(after) = &filter.after {
        q = q.filter(
            channel_activity::last_activity_at
                .lt(after.at)
                .or(channel_activity::last_activity_at
                    .eq(after.at)
                    .and(channels::id.lt(after.id))),
        );
    }
    let rows: Vec<(ChannelRow, DateTime<Utc>)> = q.load(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let mut people = participants::active(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(row, last_activity_at)| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut people)
                .into_iter()
                .partition(|p| p.channel_id == row.id);
            people = rest;
            Loaded {
                row,
                participants: mine,
                last_activity_at,
            }
        })
        .collect())
}

/// How many channels the list shows in all.
pub async fn count(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    vis: &Visibility,
) -> Result<i64, ApiError> {
    Ok(listed(filter, vis).count().get_result(conn).await?)
}
