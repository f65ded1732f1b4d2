//! `?search_channels=`: one term matched across e-mail addresses, phone numbers
//! and names. An exact phone (after E.164 normalisation) or address scores 1;
//! otherwise the best pg_trgm similarity of the term to the names (whole or
//! word-wise) or the addresses. Rows below [`MIN_SCORE`] are left out; the rest
//! come by score, then id, with a `(score, id)` cursor.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::query::ContactFilter;
use crate::model::Contact;

pub const MIN_SCORE: f64 = 0.35;

#[derive(Debug, QueryableByName)]
pub struct Scored {
    #[diesel(embed)]
    pub contact: Contact,
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// What the term is compared with.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as E.164, when it reads as a phone number.
    pub phone: Option<String>,
    /// Lower-cased.
    pub text: String,
}

const SEARCH: &str = "
select c.*, s.score from contacts.contacts c
cross join lateral (select greatest(
    case when $1::text is not null and c.phone_keys @> jsonb_build_array($1::text) then 1.0 else 0.0 end,
    case when c.email_keys @> jsonb_build_array($2::text) then 1.0 else 0.0 end,
    0.9 * public.word_similarity($2, c.email_keys::text),
    public.similarity(c.search_name, $2),
    public.word_similarity($2, c.search_name)
  )::float8 as score) s
where c.deleted_at is null
  and ($3 = 'any' or ($3 = 'true') = (c.archived_at is not null))
  and ($4::text is null or c.kind = $4)
  and s.score >= $5
  and ($6::float8 is null or s.score < $6 or (s.score = $6 and c.id > $7))
order by s.score desc, c.id asc
limit $8";

pub async fn search(
    conn: &mut AsyncPgConnection,
    term: &Term,
    filter: &ContactFilter,
    after: Option<(f64, Uuid)>,
    limit: i64,
) -> Result<Vec<Scored>, ApiError> {
    Ok(diesel::sql_query(SEARCH)
        .bind::<Nullable<Text>, _>(term.phone.clone())
        .bind::<Text, _>(term.text.clone())
        .bind::<Text, _>(filter.archived.as_str())
        .bind::<Nullable<Text>, _>(filter.kind.clone())
        .bind::<Double, _>(MIN_SCORE)
        .bind::<Nullable<Double>, _>(after.map(|a| a.0))
        .bind::<SqlUuid, _>(after.map_or(Uuid::nil(), |a| a.1))
        .bind::<BigInt, _>(limit + 1)
        .load(conn)
        .await?)
}
