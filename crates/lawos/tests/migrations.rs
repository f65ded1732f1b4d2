//! Every service's migrations really reverse: up, down, up again gives the same
//! schema, and down leaves only the platform's own tables.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_db::schema_setup::revert_all;
use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Columns, indexes, policies, triggers and RLS flags of `schema`, one line each.
async fn snapshot(url: &str, schema: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let query = "
        SELECT format('column %s.%s %s null=%s default=%s gen=%s', table_name, column_name, data_type, is_nullable, column_default, generation_expression) AS line
          FROM information_schema.columns WHERE table_schema = $1
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = $1
        UNION ALL SELECT format('policy %s %s %s %s', tablename, policyname, qual, with_check) FROM pg_policies WHERE schemaname = $1
        UNION ALL SELECT format('trigger %s %s', c.relname, t.tgname) FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND NOT t.tgisinternal
        UNION ALL SELECT format('rls %s %s %s', c.relname, c.relrowsecurity, c.relforcerowsecurity) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'
        ORDER BY 1";
    let lines: Vec<Line> = diesel::sql_query(query)
        .bind::<Text, _>(schema)
        .load(&mut conn)
        .await
        .unwrap();
    lines.into_iter().map(|l| l.line).collect()
}

fn tables(snapshot: &[String]) -> std::collections::BTreeSet<String> {
    snapshot
        .iter()
        .filter_map(|l| l.strip_prefix("rls "))
        .filter_map(|l| l.split(' ').next())
        .filter(|t| *t != "__diesel_schema_migrations")
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_service_migrates_up_down_and_up_to_the_same_schema() {
    for spec in lawos::services::ALL {
        let schema = (spec.schema)();
        let db = TestDatabase::empty().await.unwrap();
        let url = db.admin_url();
        lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
            .await
            .unwrap();
        let up = snapshot(&url, spec.name).await;
        revert_all(&url, &schema).await.unwrap();
        let down = snapshot(&url, spec.name).await;
        let platform: std::collections::BTreeSet<String> =
            ["inbox", "outbox"].map(String::from).into();
        assert_eq!(
            tables(&down),
            platform,
            "{}: down leaves only the platform tables",
            spec.name
        );
        lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
            .await
            .unwrap();
        let again = snapshot(&url, spec.name).await;
        assert_eq!(up, again, "{}: up, down, up differs", spec.name);
    }
}
