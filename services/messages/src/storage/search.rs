//! Full-text search over the bodies: the generated `body_tsv`
//! (`to_tsvector('english', body)`, GIN index), matched with
//! `websearch_to_tsquery('english', q)`, ranked by `ts_rank_cd`, newest id
//! first on equal rank. Only messages the caller may see are looked at, and
//! that is decided in the query ([`Visibility`]): matter rows through the
//! caller's matter filter on `context_id`, contact rows with `clients:read`,
//! internal rows with firm-wide reach. Snippets (`ts_headline`) are made for
//! the page's rows only, from the body with HTML escaped, matches in `<mark>`.

use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Float, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::access::Visibility;
use crate::model::{CONTACT, INTERNAL, MATTER, Message};
use crate::schema::messages;

type Condition = Box<dyn BoxableExpression<messages::table, Pg, SqlType = Bool>>;

/// `messages.body_tsv @@ websearch_to_tsquery('english', q)`.
fn matches(q: &str) -> Condition {
    Box::new(
        sql::<Bool>("messages.body_tsv @@ websearch_to_tsquery('english', ")
            .bind::<Text, _>(q.to_owned())
            .sql(")"),
    )
}

const RANK_START: &str = "ts_rank_cd(messages.body_tsv, websearch_to_tsquery('english', ";

/// The rows `visibility` admits.
fn visible(visibility: &Visibility) -> Condition {
    let mut cond: Condition = Box::new(
        messages::context_type.eq(MATTER).and(
            visibility
                .matters
                .predicate(messages::context_id.assume_not_null()),
        ),
    );
    if visibility.contacts {
        cond = Box::new(cond.or(messages::context_type.eq(CONTACT)));
    }
    if visibility.internal {
        cond = Box::new(cond.or(messages::context_type.eq(INTERNAL)));
    }
    cond
}

/// One page of hits (`limit + 1` rows): ids and ranks, best first.
pub async fn ranked(
    conn: &mut AsyncPgConnection,
    q: &str,
    visibility: &Visibility,
    after: Option<(f32, Uuid)>,
    limit: i64,
) -> Result<Vec<(Uuid, f32)>, ApiError> {
    let rank = || {
        sql::<Float>(RANK_START)
            .bind::<Text, _>(q.to_owned())
            .sql("))")
    };
    let mut select = messages::table
        .filter(messages::deleted_at.is_null())
        .filter(matches(q))
        .filter(visible(visibility))
        .select((messages::id, rank()))
        .order((rank().desc(), messages::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((r, id)) = after {
        select = select.filter(
            sql::<Bool>("(")
                .sql(RANK_START)
                .bind::<Text, _>(q.to_owned())
                .sql(")) < ")
                .bind::<Float, _>(r)
                .sql(" OR (")
                .sql(RANK_START)
                .bind::<Text, _>(q.to_owned())
                .sql(")) = ")
                .bind::<Float, _>(r)
                .sql(" AND messages.id < ")
                .bind::<SqlUuid, _>(id)
                .sql("))"),
        );
    }
    Ok(select.load(conn).await?)
}

#[derive(QueryableByName)]
struct Snippet {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    snippet: String,
}

const HEADLINES: &str = "
select m.id, ts_headline('english',
         replace(replace(replace(m.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
         websearch_to_tsquery('english', $1),
         'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \"'
       ) as snippet
from messages.messages m
where m.id = any($2)";

/// The messages `ids` with their snippets for `q`, in the order of `ids`.
pub async fn with_snippets(
    conn: &mut AsyncPgConnection,
    q: &str,
    ids: &[Uuid],
) -> Result<Vec<(Message, String)>, ApiError> {
    let rows: Vec<Message> = messages::table
        .filter(messages::id.eq_any(ids))
        .select(Message::as_select())
        .load(conn)
        .await?;
    let snippets: Vec<Snippet> = diesel::sql_query(HEADLINES)
        .bind::<Text, _>(q)
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    let mut by_id: std::collections::HashMap<Uuid, Message> =
        rows.into_iter().map(|m| (m.id, m)).collect();
    let mut snippet_of: std::collections::HashMap<Uuid, String> =
        snippets.into_iter().map(|s| (s.id, s.snippet)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| {
            let m = by_id.remove(id)?;
            let s = snippet_of.remove(id).unwrap_or_default();
            Some((m, s))
        })
        .collect())
}
