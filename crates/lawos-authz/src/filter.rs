//! "Matters I can see", decided in SQL: a predicate on a query's matter-id
//! column, so a list is filtered by the database and paginates correctly,
//! instead of being fetched and filtered.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Uuid as SqlUuid};
use uuid::Uuid;

use crate::capabilities::{Capabilities, Reach};

/// Which matters a list may show for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatterFilter {
    /// Firm-wide reach, less the walled matters.
    AllExcept(Vec<Uuid>),
    /// Only these matters (assigned: memberships and grants, walls removed).
    Only(Vec<Uuid>),
}

impl MatterFilter {
    /// The predicate on `column` (the matter id of the listed rows), for
    /// `.filter(…)`: `column <> ALL($1)` or `column = ANY($1)`, one array parameter.
    pub fn predicate<C>(&self, column: C) -> MatterPredicate<C> {
        MatterPredicate {
            column,
            filter: self.clone(),
        }
    }

    /// Whether one matter passes the filter (the same rule, in memory).
    pub fn admits(&self, matter: Uuid) -> bool {
        match self {
            Self::AllExcept(walled) => !walled.contains(&matter),
            Self::Only(ids) => ids.contains(&matter),
        }
    }
}

/// The SQL form of a [`MatterFilter`] on a uuid column.
#[derive(Debug, Clone)]
pub struct MatterPredicate<C> {
    column: C,
    filter: MatterFilter,
}

impl<C: Expression<SqlType = SqlUuid>> Expression for MatterPredicate<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for MatterPredicate<C>
where
    C: AppearsOnTable<QS>,
    Self: Expression,
{
}

impl<C, QS> SelectableExpression<QS> for MatterPredicate<C>
where
    C: SelectableExpression<QS>,
    Self: AppearsOnTable<QS>,
{
}

impl<C: ValidGrouping<()>> ValidGrouping<()> for MatterPredicate<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for MatterPredicate<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for MatterPredicate<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let (op, ids) = match &self.filter {
            MatterFilter::AllExcept(ids) if ids.is_empty() => {
                out.push_sql("TRUE");
                return Ok(());
            }
            MatterFilter::Only(ids) if ids.is_empty() => {
                out.push_sql("FALSE");
                return Ok(());
            }
            MatterFilter::AllExcept(ids) => (" <> ALL(", ids),
            MatterFilter::Only(ids) => (" = ANY(", ids),
        };
        out.push_sql("(");
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(op);
        out.push_bind_param::<Array<SqlUuid>, Vec<Uuid>>(ids)?;
        out.push_sql("))");
        Ok(())
    }
}

impl Capabilities {
    /// The matters a list under `scope` may show; `None` without the scope.
    /// Firm-wide reach shows every matter but the walled ones; assigned reach the
    /// assigned matters (memberships and grants, walls removed).
    pub fn matter_filter(&self, scope: &str) -> Option<MatterFilter> {
        let walled = self.doc.denied_matter_ids.clone();
        match self.reach(scope) {
            Some(Reach::All) => Some(MatterFilter::AllExcept(walled)),
            Some(Reach::Assigned) => {
                let mut ids: Vec<Uuid> = self.matters.iter().copied().collect();
                ids.sort_unstable();
                Some(MatterFilter::Only(ids))
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::sample::caps;
    use diesel::debug_query;
    use diesel::prelude::*;

    diesel::table! {
        rows (id) {
            id -> diesel::sql_types::Uuid,
            matter_id -> diesel::sql_types::Uuid,
        }
    }

    fn sql(filter: &MatterFilter) -> String {
        let q = rows::table
            .filter(filter.predicate(rows::matter_id))
            .select(rows::id);
        debug_query::<Pg, _>(&q).to_string()
    }

    #[test]
    fn the_filter_follows_reach_and_walls() {
        let (mine, walled) = (Uuid::now_v7(), Uuid::now_v7());
        let c = caps(
            &[
                ("matters:read", Reach::All),
                ("tasks:read", Reach::Assigned),
            ],
            &[mine],
            &[("MATTER", walled, None, "DENY")],
            &[],
        );
        let all = c.matter_filter("matters:read").unwrap();
        assert_eq!(all, MatterFilter::AllExcept(vec![walled]));
        assert!(all.admits(mine) && !all.admits(walled));
        assert_eq!(
            c.matter_filter("tasks:read"),
            Some(MatterFilter::Only(vec![mine]))
        );
        assert_eq!(c.matter_filter("billing:read"), None);
    }

    #[test]
    fn the_predicate_is_one_array_parameter_or_a_constant() {
        let id = Uuid::nil();
        assert!(sql(&MatterFilter::Only(vec![id])).contains("\"rows\".\"matter_id\" = ANY($1))"));
        assert!(
            sql(&MatterFilter::AllExcept(vec![id])).contains("\"rows\".\"matter_id\" <> ALL($1))")
        );
        assert!(sql(&MatterFilter::Only(vec![])).contains("WHERE FALSE"));
        assert!(sql(&MatterFilter::AllExcept(vec![])).contains("WHERE TRUE"));
    }
}
