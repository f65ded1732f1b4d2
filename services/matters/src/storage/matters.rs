//! Matters: insert, find, lock, change, soft delete, list.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::list::{ListFilter, Sort, contains_pattern, escape_like};
use crate::model::{Matter, MatterChanges, NewMatter, StageChanges};
use crate::schema::{matter_contacts, matter_members, matters};

pub async fn insert(conn: &mut AsyncPgConnection, new: NewMatter) -> Result<Matter, ApiError> {
    diesel::insert_into(matters::table)
        .values(new)
        .returning(Matter::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| super::conflict_field(e, "matterNumber"))
}

/// A matter that is not deleted.
pub async fn find<C>(conn: &mut C, id: Uuid) -> Result<Option<Matter>, ApiError>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    Ok(matters::table
        .find(id)
        .filter(matters::deleted_at.is_null())
        .select(Matter::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locking the row for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Matter>, ApiError> {
    Ok(matters::table
        .find(id)
        .filter(matters::deleted_at.is_null())
        .select(Matter::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update_data(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: MatterChanges,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Matter, ApiError> {
    Ok(diesel::update(matters::table.find(id))
        .set((
            changes,
            matters::updated_by.eq(by),
            matters::updated_at.eq(now),
        ))
        .returning(Matter::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn update_stage(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: StageChanges,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Matter, ApiError> {
    Ok(diesel::update(matters::table.find(id))
        .set((
            changes,
            matters::updated_by.eq(by),
            matters::updated_at.eq(now),
        ))
        .returning(Matter::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(matters::table.find(id))
        .set((
            matters::deleted_at.eq(now),
            matters::updated_by.eq(by),
            matters::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The matters `filter` selects among those `visible` admits (no cursor, no order).
fn filtered<'a>(filter: &ListFilter, visible: &MatterFilter) -> matters::BoxedQuery<'a, Pg> {
    let mut query = matters::table
        .filter(matters::deleted_at.is_null())
        .filter(visible.predicate(matters::id))
        .into_boxed();
    query = match &filter.stages {
        Some(stages) => query.filter(matters::stage.eq_any(stages.clone())),
        None => query.filter(matters::stage.ne("ARCHIVED")),
    };
    if let Some(client) = filter.client_id {
        query = query.filter(matters::client_id.eq(client));
    }
    if let Some(contact) = filter.contact_id {
        let parties = matter_contacts::table
            .filter(matter_contacts::contact_id.eq(contact))
            .filter(matter_contacts::deleted_at.is_null())
            .select(matter_contacts::matter_id);
        query = query.filter(matters::id.eq_any(parties));
    }
    if let Some(me) = filter.member {
        let now = Utc::now();
        let mine = matter_members::table
            .filter(matter_members::user_id.eq(me))
            .filter(matter_members::removed_at.is_null())
            .filter(matter_members::starts_at.le(now))
            .filter(
                matter_members::ends_at
                    .is_null()
                    .or(matter_members::ends_at.gt(now)),
            )
            .select(matter_members::matter_id);
        query = query.filter(matters::id.eq_any(mine));
    }
    if let Some(area) = &filter.practice_area {
        query = query.filter(matters::practice_area.ilike(escape_like(area)));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            matters::title
                .ilike(pattern.clone())
                .or(matters::matter_number.ilike(pattern)),
        );
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(matters::updated_at.ge(since));
    }
    query
}

/// One page (`limit + 1` rows) after the cursor, in the requested order.
pub async fn list<C>(
    conn: &mut C,
    filter: &ListFilter,
    visible: &MatterFilter,
) -> Result<Vec<Matter>, ApiError>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    let mut query = filtered(filter, visible);
    let after = filter.after.clone();
    let (at, number, id) = match &after {
        Some(p) => (p.at, p.number.clone(), Some(p.id)),
        None => (None, None, None),
    };
    use matters::{created_at, id as mid, matter_number, updated_at};
    query = match filter.sort {
        Sort::CreatedDesc => {
            if let (Some(at), Some(id)) = (at, id) {
                query = query.filter(created_at.lt(at).or(created_at.eq(at).and(mid.lt(id))));
            }
            query.order((created_at.desc(), mid.desc()))
        }
        Sort::CreatedAsc => {
            if let (Some(at), Some(id)) = (at, id) {
                query = query.filter(created_at.gt(at).or(created_at.eq(at).and(mid.gt(id))));
            }
            query.order((created_at.asc(), mid.asc()))
        }
        Sort::UpdatedDesc => {
            if let (Some(at), Some(id)) = (at, id) {
                query = query.filter(updated_at.lt(at).or(updated_at.eq(at).and(mid.lt(id))));
            }
            query.order((updated_at.desc(), mid.desc()))
        }
        Sort::UpdatedAsc => {
            if let (Some(at), Some(id)) = (at, id) {
                query = query.filter(updated_at.gt(at).or(updated_at.eq(at).and(mid.gt(id))));
            }
            query.order((updated_at.asc(), mid.asc()))
        }
        Sort::NumberAsc => {
            if let (Some(n), Some(id)) = (number, id) {
                query = query.filter(
                    matter_number
                        .gt(n.clone())
                        .or(matter_number.eq(n).and(mid.gt(id))),
                );
            }
            query.order((matter_number.asc(), mid.asc()))
        }
        Sort::NumberDesc => {
            if let (Some(n), Some(id)) = (number, id) {
                query = query.filter(
                    matter_number
                        .lt(n.clone())
                        .or(matter_number.eq(n).and(mid.lt(id))),
                );
            }
            query.order((matter_number.desc(), mid.desc()))
        }
    };
    Ok(query
        .select(Matter::as_select())
        .limit(filter.limit + 1)
        .load(conn)
        .await?)
}

/// How many matters the list selects in all (cursor aside). When only the
/// stage narrows it and the caller reaches the whole firm, that is the kept
/// per-stage counts (`matter_counts`, a few rows whatever the firm's size)
/// less the walled matters among them; otherwise the selected rows are counted.
pub async fn count<C>(
    conn: &mut C,
    filter: &ListFilter,
    visible: &MatterFilter,
) -> Result<i64, ApiError>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    if let MatterFilter::AllExcept(walled) = visible
        && filter.narrows_only_by_stage()
    {
        let kept = kept_count(conn, &filter.listed_stages()).await?;
        let hidden: i64 = if walled.is_empty() {
            0
        } else {
            filtered(filter, &MatterFilter::Only(walled.clone()))
                .count()
                .get_result(conn)
                .await?
        };
        return Ok(kept - hidden);
    }
    Ok(filtered(filter, visible).count().get_result(conn).await?)
}

#[derive(diesel::QueryableByName)]
struct Kept {
    #[diesel(sql_type = diesel::sql_types::Int8)]
    n: i64,
}

/// The live matters of the tenant's firm in `stages`, from the kept counts.
async fn kept_count<C>(conn: &mut C, stages: &[String]) -> Result<i64, ApiError>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    let kept: Kept = diesel::sql_query(
        "select coalesce(sum(n), 0)::int8 as n from matters.matter_counts \
         where stage = any($1)",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(stages)
    .get_result(conn)
    .await?;
    Ok(kept.n)
}
