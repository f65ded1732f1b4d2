//! Full-text search over the bodies: the generated `body_tsv`
//! (`to_tsvector('english', body)`), matched with
//! `websearch_to_tsquery('english', q)`, ranked by `ts_rank_cd`, newest id
//! first on equal rank. Only messages the caller may see are looked at, and
//! that is decided in the query ([`Visibility`]): matter rows through the
//! caller's matter filter on `context_id`, contact rows with `clients:read`,
//! internal rows with firm-wide reach. Snippets (`ts_headline`) are made for
//! the page's rows only, from the body with HTML escaped, matches in `<mark>`.
//!
//! Under row-level security `@@` (not leakproof) cannot use an index ahead of
//! the firm policy, so the candidates come from `message_terms`, the inverted
//! index the database keeps of the live messages' lexemes: the query's
//! lexemes ([`terms`]) are looked up with text equality (leakproof, btree on
//! `(firm_id, term, message_id)`), and only those messages are matched,
//! filtered by visibility and ranked. A query the terms cannot answer (only
//! negations, or an OR with one: `x or -y`) is matched against every live
//! message.

use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Float, Integer, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::access::Visibility;
use crate::model::{CONTACT, INTERNAL, MATTER, Message};
use crate::schema::messages;

type Condition = Box<dyn BoxableExpression<messages::table, Pg, SqlType = Bool>>;

/// What `message_terms` is asked for a query: its lexemes (those of the
/// indexable part, negations dropped) and how many of them a message must
/// have (all when the query has no OR, else one).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Terms {
    #[diesel(sql_type = Array<Text>)]
    pub lexemes: Vec<String>,
    #[diesel(sql_type = Integer)]
    pub needed: i32,
}

/// The terms of `q`, or `None` when the query can match a message without
/// any of them (the search then reads every live message).
pub async fn terms(conn: &mut AsyncPgConnection, q: &str) -> Result<Option<Terms>, ApiError> {
    Ok(diesel::sql_query(
        "select lexemes, needed from messages.lawos_search_terms(websearch_to_tsquery('english', $1))",
    )
    .bind::<Text, _>(q)
    .get_result(conn)
    .await
    .optional()?)
}

/// At most this many lexemes of a query without OR are each asked for; the
/// match with `@@` checks the rest.
const EACH: usize = 4;

/// `messages.id in (the messages having one of lexemes)`.
fn having_any(lexemes: &[String]) -> Condition {
    Box::new(
        sql::<Bool>(
            "messages.id in (select t.message_id from messages.message_terms t \
             where t.term = any(",
        )
        .bind::<Array<Text>, _>(lexemes.to_vec())
        .sql("))"),
    )
}

/// The messages the lexemes lead to: those having each of them when the
/// query has no OR (one semi-join per lexeme, so the rarest drives), else
/// those having any.
fn candidates(terms: &Terms) -> Condition {
    let n = terms.lexemes.len();
    if n < 2 || !usize::try_from(terms.needed).is_ok_and(|needed| needed >= n) {
        return having_any(&terms.lexemes);
    }
    let mut cond = having_any(&terms.lexemes[..1]);
    for lexeme in terms.lexemes.iter().take(EACH).skip(1) {
        cond = Box::new(cond.and(having_any(std::slice::from_ref(lexeme))));
    }
    cond
}

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

/// One page of hits (`limit + 1` rows): ids and ranks, best first. With
/// `terms`, only the messages they lead to are matched.
pub async fn ranked(
    conn: &mut AsyncPgConnection,
    q: &str,
    terms: Option<&Terms>,
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
    if let Some(terms) = terms {
        if terms.lexemes.is_empty() {
            // Stop words only: the query matches nothing.
            return Ok(Vec::new());
        }
        select = select.filter(candidates(terms));
    }
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
