//! Duplicate candidates: finding a contact's look-alikes, recording pairs,
//! listing open pairs, closing them on merge.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Uuid as SqlUuid};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::DuplicateCandidate;
use crate::schema::{contacts, duplicate_candidates};

/// Name similarity (pg_trgm, 0..1) from which two names count as similar.
pub const SIMILAR_NAME: f64 = 0.5;

#[derive(Debug, QueryableByName)]
pub struct LookAlike {
    #[diesel(sql_type = SqlUuid)]
    pub other_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub same_email: bool,
    #[diesel(sql_type = Bool)]
    pub same_phone: bool,
    #[diesel(sql_type = Double)]
    pub name_score: f64,
}

const LOOK_ALIKES: &str = "
with n as (
  select id, search_name,
         array(select jsonb_array_elements_text(email_keys)) as emails,
         array(select jsonb_array_elements_text(phone_keys)) as phones
    from contacts.contacts where id = $1 and deleted_at is null)
select o.id as other_id,
       o.email_keys ?| n.emails as same_email,
       o.phone_keys ?| n.phones as same_phone,
       public.similarity(o.search_name, n.search_name)::float8 as name_score
  from n join contacts.contacts o on o.id <> n.id and o.deleted_at is null
 where o.email_keys ?| n.emails
    or o.phone_keys ?| n.phones
    or public.similarity(o.search_name, n.search_name) >= $2
 order by o.id
 limit 100";

/// The undeleted contacts sharing an e-mail address or a phone number with
/// `contact`, or with a similar name.
pub async fn look_alikes(
    conn: &mut AsyncPgConnection,
    contact: Uuid,
) -> Result<Vec<LookAlike>, ApiError> {
    Ok(diesel::sql_query(LOOK_ALIKES)
        .bind::<SqlUuid, _>(contact)
        .bind::<Double, _>(SIMILAR_NAME)
        .load(conn)
        .await?)
}

/// Records a pair, or refreshes its score and reasons (reopening it).
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    pair: DuplicateCandidate,
) -> Result<(), ApiError> {
    diesel::insert_into(duplicate_candidates::table)
        .values(&pair)
        .on_conflict((
            duplicate_candidates::firm_id,
            duplicate_candidates::contact_id,
            duplicate_candidates::other_contact_id,
        ))
        .do_update()
        .set((
            duplicate_candidates::score.eq(excluded(duplicate_candidates::score)),
            duplicate_candidates::reasons.eq(excluded(duplicate_candidates::reasons)),
            duplicate_candidates::status.eq("OPEN"),
            duplicate_candidates::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// One page of open pairs whose contacts both still exist, in id order.
pub async fn list_open(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DuplicateCandidate>, ApiError> {
    let alive = contacts::table
        .filter(contacts::deleted_at.is_null())
        .select(contacts::id);
    let mut query = duplicate_candidates::table
        .filter(duplicate_candidates::status.eq("OPEN"))
        .filter(duplicate_candidates::contact_id.eq_any(alive))
        .filter(duplicate_candidates::other_contact_id.eq_any(alive))
        .select(DuplicateCandidate::as_select())
        .order(duplicate_candidates::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(duplicate_candidates::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// Closes every open pair that names `contact`.
pub async fn close_for(conn: &mut AsyncPgConnection, contact: Uuid) -> Result<(), ApiError> {
    diesel::update(
        duplicate_candidates::table
            .filter(duplicate_candidates::status.eq("OPEN"))
            .filter(
                duplicate_candidates::contact_id
                    .eq(contact)
                    .or(duplicate_candidates::other_contact_id.eq(contact)),
            ),
    )
    .set((
        duplicate_candidates::status.eq("MERGED"),
        duplicate_candidates::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
