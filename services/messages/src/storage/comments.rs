//! Queries of the comment tables, inside the firm's transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::comments::model::{Comment, CommentEdit};
use crate::schema::{comment_edits, comment_mentions, comments};

/// A list position: oldest first by creation, then id.
pub type After = Option<(DateTime<Utc>, Uuid)>;

pub async fn insert(conn: &mut AsyncPgConnection, c: Comment) -> Result<Comment, ApiError> {
    Ok(diesel::insert_into(comments::table)
        .values(c)
        .returning(Comment::as_returning())
        .get_result(conn)
        .await?)
}

/// A comment that is not deleted, locked for a change.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Comment>, ApiError> {
    Ok(comments::table
        .find(id)
        .filter(comments::deleted_at.is_null())
        .select(Comment::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// A comment that is not deleted.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Comment>, ApiError> {
    Ok(comments::table
        .find(id)
        .filter(comments::deleted_at.is_null())
        .select(Comment::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Top-level comments on a resource, oldest first (`limit + 1` rows); a
/// deleted one stays in the list while it has live replies.
const THREADS: &str = "
select c.* from messages.comments c
where c.resource_type = $1 and c.resource_id = $2 and c.parent_id is null
  and (c.deleted_at is null or exists (
        select 1 from messages.comments r where r.parent_id = c.id and r.deleted_at is null))
  and ($3::timestamptz is null or (c.created_at, c.id) > ($3, $4))
order by c.created_at, c.id
limit $5";

const COUNT_THREADS: &str = "
select count(*) as n from messages.comments c
where c.resource_type = $1 and c.resource_id = $2 and c.parent_id is null
  and (c.deleted_at is null or exists (
        select 1 from messages.comments r where r.parent_id = c.id and r.deleted_at is null))";

pub async fn threads(
    conn: &mut AsyncPgConnection,
    resource_type: &str,
    resource_id: Uuid,
    after: After,
    limit: i64,
) -> Result<Vec<Comment>, ApiError> {
    Ok(diesel::sql_query(THREADS)
        .bind::<Text, _>(resource_type)
        .bind::<SqlUuid, _>(resource_id)
        .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
        .bind::<SqlUuid, _>(after.map_or(Uuid::nil(), |a| a.1))
        .bind::<BigInt, _>(limit + 1)
        .load(conn)
        .await?)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub async fn count_threads(
    conn: &mut AsyncPgConnection,
    resource_type: &str,
    resource_id: Uuid,
) -> Result<i64, ApiError> {
    let c: Count = diesel::sql_query(COUNT_THREADS)
        .bind::<Text, _>(resource_type)
        .bind::<SqlUuid, _>(resource_id)
        .get_result(conn)
        .await?;
    Ok(c.n)
}

/// The live replies to `parents`, oldest first.
pub async fn replies(
    conn: &mut AsyncPgConnection,
    parents: &[Uuid],
) -> Result<Vec<Comment>, ApiError> {
    Ok(comments::table
        .filter(comments::parent_id.eq_any(parents))
        .filter(comments::deleted_at.is_null())
        .select(Comment::as_select())
        .order((comments::created_at.asc(), comments::id.asc()))
        .load(conn)
        .await?)
}

/// (comment, mentioned user) of `ids`.
pub async fn mentions(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, ApiError> {
    Ok(comment_mentions::table
        .filter(comment_mentions::comment_id.eq_any(ids))
        .select((comment_mentions::comment_id, comment_mentions::user_id))
        .order((
            comment_mentions::comment_id,
            comment_mentions::created_at,
            comment_mentions::user_id,
        ))
        .load(conn)
        .await?)
}

/// Makes `users` the comment's mentions; answers those not mentioned before.
pub async fn set_mentions(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    comment: Uuid,
    users: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    diesel::delete(
        comment_mentions::table
            .filter(comment_mentions::comment_id.eq(comment))
            .filter(comment_mentions::user_id.ne_all(users)),
    )
    .execute(conn)
    .await?;
    let mut added = Vec::new();
    for user in users {
        let n = diesel::insert_into(comment_mentions::table)
            .values((
                comment_mentions::firm_id.eq(firm),
                comment_mentions::comment_id.eq(comment),
                comment_mentions::user_id.eq(user),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if n == 1 {
            added.push(*user);
        }
    }
    Ok(added)
}

/// Replaces the body, keeping the previous one in `comment_edits`.
pub async fn edit(
    conn: &mut AsyncPgConnection,
    old: &Comment,
    body: String,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Comment, ApiError> {
    diesel::insert_into(comment_edits::table)
        .values(CommentEdit {
            id: Uuid::now_v7(),
            firm_id: old.firm_id,
            comment_id: old.id,
            previous_body: old.body.clone(),
            edited_by: by,
            edited_at: now,
        })
        .execute(conn)
        .await?;
    Ok(diesel::update(comments::table.find(old.id))
        .set((
            comments::body.eq(body),
            comments::edited_at.eq(now),
            comments::updated_at.eq(now),
        ))
        .returning(Comment::as_returning())
        .get_result(conn)
        .await?)
}

/// A comment's previous bodies, newest first.
pub async fn edits(
    conn: &mut AsyncPgConnection,
    comment: Uuid,
) -> Result<Vec<CommentEdit>, ApiError> {
    Ok(comment_edits::table
        .filter(comment_edits::comment_id.eq(comment))
        .select(CommentEdit::as_select())
        .order((comment_edits::edited_at.desc(), comment_edits::id.desc()))
        .load(conn)
        .await?)
}

pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Comment, ApiError> {
    Ok(diesel::update(comments::table.find(id))
        .set((
            comments::deleted_at.eq(now),
            comments::deleted_by.eq(by),
            comments::updated_at.eq(now),
        ))
        .returning(Comment::as_returning())
        .get_result(conn)
        .await?)
}
