//! The contacts migrations really reverse: up, down, up gives the same schema,
//! and down leaves only the platform's tables. (The workspace-wide check in
//! crates/lawos/tests/migrations.rs runs the same for every service.)
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
        SELECT format('column %s.%s %s null=%s default=%s gen=%s', table_name, column_name, data_type,
                      is_nullable, column_default, generation_expression) AS line
          FROM information_schema.columns WHERE table_schema = 'contacts'
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'contacts'
        UNION ALL SELECT format('policy %s %s %s', tablename, policyname, qual) FROM pg_policies WHERE schemaname = 'contacts'
        UNION ALL SELECT format('trigger %s %s', c.relname, t.tgname) FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'contacts' AND NOT t.tgisinternal
        UNION ALL SELECT format('table %s rls=%s force=%s', c.relname, c.relrowsecurity, c.relforcerowsecurity)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'contacts' AND c.relkind = 'r'
        ORDER BY 1";
    let lines: Vec<Line> = diesel::sql_query(query).load(&mut conn).await.unwrap();
    lines.into_iter().map(|l| l.line).collect()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_to_the_same_schema() {
    let schema = lawos_svc_contacts::schema();
    let db = TestDatabase::empty().await.unwrap();
    let url = db.admin_url();
    lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
        .await
        .unwrap();
    let up = snapshot(&url).await;
    for table in [
        "contacts",
        "clients",
        "client_pii",
        "client_contacts",
        "duplicate_candidates",
    ] {
        assert!(
            up.contains(&format!("table {table} rls=t force=t")),
            "{table}: {up:#?}"
        );
        assert!(
            up.contains(&format!("trigger {table} lawos_emit_events")),
            "{table} emits events"
        );
    }
    revert_all(&url, &schema).await.unwrap();
    let down: Vec<String> = snapshot(&url)
        .await
        .into_iter()
        .filter(|l| l.starts_with("table "))
        .collect();
    assert_eq!(
        down,
        [
            "table __diesel_schema_migrations rls=f force=f",
            "table inbox rls=f force=f",
            "table outbox rls=f force=f"
        ]
    );
    lawos_db::migrate(&url, &schema, DEV_APP_PASSWORD)
        .await
        .unwrap();
    assert_eq!(snapshot(&url).await, up);
}
