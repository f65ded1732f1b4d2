//! The list and the search, one statement each, decided in SQL: the caller's
//! reach ([`ListReach`]), the filters, and the full-text query
//! (`websearch_to_tsquery` over `document_search.search`, ranked with `ts_rank`).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Float4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::access::{ListReach, Sql};
use crate::input::{ListFilter, Position};

/// The text-search configuration of `document_search.search`.
const TS_CONFIG: &str = "'english'";

#[derive(Debug, Clone, QueryableByName)]
pub struct ListRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Float4>)]
    pub rank: Option<f32>,
}

impl ListRow {
    pub fn position(&self) -> Position {
        match self.rank {
            Some(rank) => Position::Ranked(rank, self.id),
            None => Position::Updated(self.updated_at, self.id),
        }
    }
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `FROM … WHERE …` shared by the page and its total.
fn from_where(head: &str, filter: &ListFilter, reach: &ListReach) -> Sql {
    let mut q = Sql::new(head);
    if let Some(text) = &filter.q {
        q = q
            .sql(format!(
                " JOIN documents.document_search s ON s.document_id = d.id \
                  CROSS JOIN websearch_to_tsquery({TS_CONFIG}, "
            ))
            .bind::<Text, _>(text.clone())
            .sql(") tsq");
    }
    // The firm named in the query itself: the policy's `OR` (platform reads)
    // is no index condition, and the `(firm_id, …)` indexes need one.
    q = q
        .sql(" WHERE d.firm_id = ")
        .sql(lawos_db::tenant::CURRENT_FIRM_SQL)
        .sql(" AND d.deleted_at IS NULL");
    q = if filter.archived {
        q.sql(" AND d.archived_at IS NOT NULL")
    } else {
        q.sql(" AND d.archived_at IS NULL")
    };
    if filter.q.is_some() {
        q = q.sql(" AND s.search @@ tsq");
    }
    if let Some(t) = &filter.resource_type {
        q = q.sql(" AND d.resource_type = ").bind::<Text, _>(t.clone());
    }
    if let Some(id) = filter.resource_id {
        q = q.sql(" AND d.resource_id = ").bind::<SqlUuid, _>(id);
    }
    if let Some(c) = &filter.category {
        q = q.sql(" AND d.category = ").bind::<Text, _>(c.clone());
    }
    if let Some(p) = filter.privileged {
        q = q.sql(" AND d.privileged = ").bind::<Bool, _>(p);
    }
    if let Some(since) = filter.updated_since {
        q = q.sql(" AND d.updated_at >= ").bind::<Timestamptz, _>(since);
    }
    if let Some(user) = filter.uploaded_by {
        q = q
            .sql(
                " AND EXISTS (SELECT 1 FROM documents.document_versions cv \
                 WHERE cv.id = d.current_version_id AND cv.uploaded_by = ",
            )
            .bind::<SqlUuid, _>(user)
            .sql(")");
    }
    reach.push_sql(q)
}

/// One page (`limit + 1` rows: the extra one says there is more).
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    reach: &ListReach,
) -> Result<Vec<ListRow>, ApiError> {
    let head = if filter.q.is_some() {
        "SELECT d.id, d.updated_at, ts_rank(s.search, tsq) AS rank FROM documents.documents d"
    } else {
        "SELECT d.id, d.updated_at, NULL::real AS rank FROM documents.documents d"
    };
    let mut q = from_where(head, filter, reach);
    match &filter.after {
        Some(Position::Ranked(rank, id)) => {
            q = q
                .sql(" AND (ts_rank(s.search, tsq), d.id) < (")
                .bind::<Float4, _>(*rank)
                .sql(", ")
                .bind::<SqlUuid, _>(*id)
                .sql(")");
        }
        Some(Position::Updated(at, id)) => {
            q = q
                .sql(" AND (d.updated_at, d.id) < (")
                .bind::<Timestamptz, _>(*at)
                .sql(", ")
                .bind::<SqlUuid, _>(*id)
                .sql(")");
        }
        None => {}
    }
    q = if filter.q.is_some() {
        q.sql(" ORDER BY rank DESC, d.id DESC LIMIT ")
    } else {
        q.sql(" ORDER BY d.updated_at DESC, d.id DESC LIMIT ")
    };
    Ok(q.bind::<BigInt, _>(filter.limit + 1)
        .into_query()
        .load(conn)
        .await?)
}

/// How many documents the whole list holds.
pub async fn total(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    reach: &ListReach,
) -> Result<i64, ApiError> {
    let q = from_where(
        "SELECT count(*) AS n FROM documents.documents d",
        filter,
        reach,
    );
    let row: Total = q.into_query().get_result(conn).await?;
    Ok(row.n)
}
