//! The pgbench scripts: the very transactions the matters service runs for
//! each measured request, with the tenant settings `lawos_db::with_tenant`
//! sets (firm and user bound from `-D firm=… -D user=…`), as `lawos_matters`
//! so row-level security applies.

use super::{MATTER_ID_PREFIX, PAGE};

/// `set_context`'s statement: the five settings of a tenant transaction.
const SET_CONTEXT: &str = "select set_config('app.firm_id', coalesce(:firm, ''), true), \
     set_config('app.user_id', coalesce(:user, ''), true), \
     set_config('app.act_as', coalesce(NULL, ''), true), \
     set_config('app.all_firms', 'off', true), \
     set_config('app.traceparent', coalesce(NULL, ''), true);";

/// The 16 columns of `Matter::as_select()`, as diesel writes them.
fn columns() -> String {
    [
        "id",
        "firm_id",
        "matter_number",
        "title",
        "description",
        "matter_type",
        "practice_area",
        "stage",
        "client_id",
        "opened_at",
        "closed_at",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "deleted_at",
    ]
    .map(|c| format!("\"matters\".\"matters\".\"{c}\""))
    .join(", ")
}

/// GET by id (`storage::matters::find` in a tenant transaction): the select of
/// the 16 columns by id and `deleted_at IS NULL`. The id is computed from a
/// random `k` as the seed made it.
pub fn get(n: u64) -> String {
    format!(
        "\\set k random(0, {last})\n\
         BEGIN;\n\
         {SET_CONTEXT}\n\
         SELECT {columns} FROM \"matters\".\"matters\" WHERE ((\"matters\".\"matters\".\"id\" = \
         ('{MATTER_ID_PREFIX}' || lpad(:k::text, 12, '0'))::uuid) AND \
         (\"matters\".\"matters\".\"deleted_at\" IS NULL)) LIMIT 1;\n\
         COMMIT;\n",
        last = n - 1,
        columns = columns()
    )
}

/// The first list page of a LAWYER (firm-wide reach, no wall: the visibility
/// predicate is `TRUE`) in the default order, `limit + 1` rows, and the total
/// from the kept counts of every stage but ARCHIVED (`storage::matters::list`
/// and `count`).
pub fn first_page() -> String {
    let stages = lawos_svc_matters::stage::STAGES
        .iter()
        .filter(|s| **s != "ARCHIVED")
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "BEGIN;\n\
         {SET_CONTEXT}\n\
         SELECT {columns} FROM \"matters\".\"matters\" WHERE (((\"matters\".\"matters\".\"deleted_at\" \
         IS NULL) AND TRUE) AND (\"matters\".\"matters\".\"stage\" != 'ARCHIVED')) ORDER BY \
         \"matters\".\"matters\".\"created_at\" DESC, \"matters\".\"matters\".\"id\" DESC LIMIT {limit};\n\
         select coalesce(sum(n), 0)::int8 as n from matters.matter_counts where stage = any(ARRAY[{stages}]);\n\
         COMMIT;\n",
        columns = columns(),
        limit = PAGE + 1
    )
}

/// POST (`numbers::next_matter_number` and `storage::matters::insert`): the
/// firm's number for `year` bumped, the matter inserted with a time-ordered
/// (version 7 layout) id and returned; its triggers write the outbox row and the
/// kept count as for the service.
pub fn post(year: i32) -> String {
    format!(
        "BEGIN;\n\
         {SET_CONTEXT}\n\
         insert into matters.matter_number_sequences (firm_id, year, last_value) values \
         (:firm::uuid, {year}, 1) on conflict (firm_id, year) do update set last_value = \
         matter_number_sequences.last_value + 1 returning last_value \\gset\n\
         INSERT INTO \"matters\".\"matters\" (\"id\", \"firm_id\", \"matter_number\", \"title\", \
         \"description\", \"matter_type\", \"practice_area\", \"stage\", \"client_id\", \"opened_at\", \
         \"created_by\", \"updated_by\") VALUES ((lpad(to_hex((extract(epoch from clock_timestamp()) \
         * 1000)::int8), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || \
         substr(md5(random()::text), 1, 15))::uuid, :firm::uuid, '{year}-' || lpad(:last_value::text, 5, '0'), \
         'Bench v. Load', 'Created by matters-load', 'CIVIL', 'Personal Injury', 'LEAD', NULL, NULL, \
         :user::uuid, :user::uuid) RETURNING {columns};\n\
         COMMIT;\n",
        columns = columns()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_picks_a_seeded_id() {
        let s = get(1000);
        assert!(s.starts_with("\\set k random(0, 999)\nBEGIN;\n"));
        assert!(s.contains("lpad(:k::text, 12, '0')"));
        assert!(s.ends_with("COMMIT;\n"));
    }

    #[test]
    fn the_first_page_reads_one_more_row_and_the_kept_counts() {
        let s = first_page();
        assert!(s.contains(&format!("LIMIT {}", PAGE + 1)));
        assert!(s.contains("ARRAY['LEAD','OPEN','IN_PROGRESS','CLOSED']"));
    }

    #[test]
    fn post_numbers_then_inserts() {
        let s = post(2026);
        let number = s.find("matter_number_sequences").unwrap();
        let insert = s.find("INSERT INTO \"matters\".\"matters\"").unwrap();
        assert!(number < insert && s.contains("\\gset") && s.contains("'2026-'"));
    }
}
