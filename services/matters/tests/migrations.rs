//! The matters migrations really reverse: up, down (only the platform's outbox
//! and inbox remain), up again gives the same tables, indexes, policies and triggers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lawos_db::schema_setup::revert_all;
use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

async fn snapshot(url: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let query = "
        SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type, is_nullable, column_default) AS line
          FROM information_schema.columns WHERE table_schema = 'matters'
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'matters'
        UNION ALL SELECT format('policy %s %s %s', tablename, policyname, qual) FROM pg_policies WHERE schemaname = 'matters'
        UNION ALL SELECT format('trigger %s %s', c.relname, t.tgname) FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'matters' AND NOT t.tgisinternal
        UNION ALL SELECT format('rls %s %s %s', c.relname, c.relrowsecurity, c.relforcerowsecurity) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'matters' AND c.relkind = 'r'
        ORDER BY 1";
    let lines: Vec<Line> = diesel::sql_query(query).load(&mut conn).await.unwrap();
    lines.into_iter().map(|l| l.line).collect()
}

#[tokio::test]
async fn up_down_up_gives_the_same_schema() {
    let schema = lawos_svc_matters::schema();
    let db = TestDatabase::empty().await.unwrap();
    let url = db.admin_url();
    lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
        .await
        .unwrap();
    let up = snapshot(&url).await;
    for table in [
        "matters",
        "matter_members",
        "matter_contacts",
        "matter_notes",
        "matter_budgets",
        "matter_number_sequences",
    ] {
        assert!(
            up.contains(&format!("rls {table} t t")),
            "{table}: forced RLS: {up:#?}"
        );
    }
    assert!(up.contains(&"trigger matters lawos_emit_events".to_owned()));
    assert!(
        !up.iter()
            .any(|l| l == "trigger matter_members lawos_emit_events")
    );
    revert_all(&url, &schema).await.unwrap();
    let down = snapshot(&url).await;
    let left: Vec<&String> = down
        .iter()
        .filter(|l| l.starts_with("rls "))
        .filter(|l| !l.contains("__diesel_schema_migrations"))
        .collect();
    assert_eq!(left, ["rls inbox f f", "rls outbox f f"]);
    lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
        .await
        .unwrap();
    assert_eq!(up, snapshot(&url).await);
}
