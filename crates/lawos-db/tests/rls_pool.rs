//! Row-level security under a pool of one connection: two firms interleaved and a
//! request dropped mid-transaction never see each other's rows, and no connection
//! returns to the pool inside a transaction.

#![allow(clippy::expect_used)] // test helpers outside #[test] functions

use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::testdb::TestDatabase;
use lawos_db::{DbPool, ServiceSchema, TenantCtx, connect, with_tenant};
use std::time::Duration;
use uuid::Uuid;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations");

fn schema() -> ServiceSchema {
    ServiceSchema {
        service: "rlstest",
        migrations: Some(|| MIGRATIONS),
        setup_sql: vec![],
    }
}

#[derive(diesel::QueryableByName, Debug)]
struct Note {
    #[diesel(sql_type = SqlUuid)]
    firm_id: Uuid,
}

#[derive(diesel::QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

async fn insert(pool: &DbPool, firm: FirmId, body: &str) -> Result<(), ApiError> {
    let body = body.to_owned();
    with_tenant(pool, &TenantCtx::firm(firm, None), |conn| {
        async move {
            diesel::sql_query("INSERT INTO notes (id, firm_id, body) VALUES ($1, $2, $3)")
                .bind::<SqlUuid, _>(Uuid::now_v7())
                .bind::<SqlUuid, _>(firm.0)
                .bind::<Text, _>(body)
                .execute(conn)
                .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

async fn visible(pool: &DbPool, firm: FirmId) -> Vec<Uuid> {
    with_tenant(pool, &TenantCtx::firm(firm, None), |conn| {
        async move {
            let rows: Vec<Note> = diesel::sql_query("SELECT firm_id FROM notes")
                .load(conn)
                .await?;
            Ok(rows.into_iter().map(|n| n.firm_id).collect())
        }
        .scope_boxed()
    })
    .await
    .expect("select")
}

async fn runtime_pool(db: &TestDatabase) -> DbPool {
    connect(&db.runtime_url("rlstest"), 1).expect("pool")
}

#[tokio::test]
async fn two_firms_interleaved_on_one_connection_never_see_each_other() {
    let db = TestDatabase::create(&[schema()]).await.expect("db");
    let pool = runtime_pool(&db).await;
    let (a, b) = (FirmId::new(), FirmId::new());
    let mut tasks = Vec::new();
    for i in 0..40 {
        let pool = pool.clone();
        let firm = if i % 2 == 0 { a } else { b };
        tasks.push(tokio::spawn(async move {
            insert(&pool, firm, &format!("note {i}"))
                .await
                .expect("insert");
            let seen = visible(&pool, firm).await;
            assert!(!seen.is_empty());
            assert!(
                seen.iter().all(|f| *f == firm.0),
                "firm {firm} saw another firm's row"
            );
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(visible(&pool, a).await.len(), 20);
    assert_eq!(visible(&pool, b).await.len(), 20);
}

#[tokio::test]
async fn a_request_dropped_mid_transaction_leaks_nothing() {
    let db = TestDatabase::create(&[schema()]).await.expect("db");
    let pool = runtime_pool(&db).await;
    let (a, b) = (FirmId::new(), FirmId::new());
    let ctx_a = TenantCtx::firm(a, None);

    // Firm A's request sets its context, writes, then is dropped before commit.
    let stalled_pid = std::sync::Arc::new(std::sync::Mutex::new(None));
    let pid_slot = stalled_pid.clone();
    let stalled = with_tenant(&pool, &ctx_a, |conn| {
        async move {
            let pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
                .get_result(conn)
                .await?;
            *pid_slot.lock().expect("lock") = Some(pid.pid);
            diesel::sql_query("INSERT INTO notes (id, firm_id, body) VALUES ($1, $2, 'x')")
                .bind::<SqlUuid, _>(Uuid::now_v7())
                .bind::<SqlUuid, _>(a.0)
                .execute(conn)
                .await?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        .scope_boxed()
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stalled)
            .await
            .is_err()
    );

    // The single connection must not come back inside A's transaction.
    let old_pid = stalled_pid.lock().expect("lock").expect("pid recorded");
    let mut conn = pool.get().await.expect("conn");
    let pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(&mut *conn)
        .await
        .expect("q");
    assert_ne!(
        pid.pid, old_pid,
        "the connection came back to the pool inside a transaction"
    );
    let idle_in_tx: Flag = diesel::sql_query(
        "SELECT pg_current_xact_id_if_assigned() IS NULL AND \
         coalesce(current_setting('app.all_firms', true), '') <> 'on' AS flag",
    )
    .get_result(&mut *conn)
    .await
    .expect("query");
    assert!(idle_in_tx.flag, "fresh checkout carries transaction state");
    let firm: Setting =
        diesel::sql_query("SELECT coalesce(current_setting('app.firm_id', true), '') AS value")
            .get_result(&mut *conn)
            .await
            .expect("query");
    assert_eq!(firm.value, "", "firm context leaked to the next checkout");
    let none: Vec<Note> = diesel::sql_query("SELECT firm_id FROM notes")
        .load(&mut *conn)
        .await
        .expect("q");
    assert!(none.is_empty(), "rows visible without a firm context");
    drop(conn);

    // B sees nothing of A, and A's uncommitted write is gone.
    insert(&pool, b, "b").await.expect("insert b");
    assert_eq!(visible(&pool, b).await, vec![b.0]);
    assert!(visible(&pool, a).await.is_empty());
}

#[tokio::test]
async fn runtime_role_is_confined() {
    let db = TestDatabase::create(&[schema()]).await.expect("db");
    let pool = runtime_pool(&db).await;
    let mut conn = pool.get().await.expect("conn");
    let flag: Flag = diesel::sql_query(
        "SELECT (rolsuper OR rolbypassrls) AS flag FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut *conn)
    .await
    .expect("roles");
    assert!(
        !flag.flag,
        "runtime role must be neither superuser nor BYPASSRLS"
    );
    // Writing a row for a firm other than the context is refused by the policy.
    let firm = FirmId::new();
    let other = FirmId::new();
    let ctx = TenantCtx::firm(firm, None);
    let res = with_tenant(&pool, &ctx, |conn| {
        async move {
            diesel::sql_query("INSERT INTO notes (id, firm_id, body) VALUES ($1, $2, 'x')")
                .bind::<SqlUuid, _>(Uuid::now_v7())
                .bind::<SqlUuid, _>(other.0)
                .execute(conn)
                .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await;
    assert!(res.is_err(), "insert for another firm must be refused");
    // No access to schemas the service does not own.
    let other_schema = diesel::sql_query("SELECT 1 AS flag FROM pg_catalog.pg_authid")
        .execute(&mut *conn)
        .await;
    assert!(other_schema.is_err());
}

#[tokio::test]
async fn context_values_reach_the_settings_unaltered_and_an_error_rolls_back() {
    let db = TestDatabase::create(&[schema()]).await.expect("db");
    let pool = runtime_pool(&db).await;
    let firm = FirmId::new();
    let awkward = "support:o'brien\\x'); select 1; --";
    let ctx = TenantCtx {
        act_as: Some(awkward.to_owned()),
        ..TenantCtx::firm(firm, None)
    };
    let seen = with_tenant(&pool, &ctx, |conn| {
        async move {
            let row: Setting =
                diesel::sql_query("SELECT current_setting('app.act_as', true) AS value")
                    .get_result(conn)
                    .await?;
            Ok(row.value)
        }
        .scope_boxed()
    })
    .await
    .expect("read back");
    assert_eq!(seen, awkward);
    // A failing request leaves nothing: its insert is rolled back.
    let failed: Result<(), ApiError> = with_tenant(&pool, &TenantCtx::firm(firm, None), |conn| {
        async move {
            diesel::sql_query("INSERT INTO notes (id, firm_id, body) VALUES ($1, $2, 'x')")
                .bind::<SqlUuid, _>(Uuid::now_v7())
                .bind::<SqlUuid, _>(firm.0)
                .execute(conn)
                .await?;
            Err(ApiError::internal("refused after the insert"))
        }
        .scope_boxed()
    })
    .await;
    assert!(failed.is_err());
    assert!(visible(&pool, firm).await.is_empty());
}

/// The notes a one-round-trip read of `firm` sees.
async fn read_visible(pool: &DbPool, firm: FirmId) -> Result<Vec<Uuid>, ApiError> {
    lawos_db::read(pool, &TenantCtx::firm(firm, None), |conn| {
        Box::pin(async move {
            let mut conn = conn;
            let rows: Vec<Note> = diesel::sql_query("SELECT firm_id FROM notes")
                .load(&mut conn)
                .await?;
            Ok(rows.into_iter().map(|n| n.firm_id).collect())
        })
    })
    .await
}

#[tokio::test]
async fn one_round_trip_reads_see_only_their_firm_and_leave_the_connection_clean() {
    let db = TestDatabase::create(&[schema()]).await.expect("db");
    let pool = runtime_pool(&db).await;
    let (a, b) = (FirmId::new(), FirmId::new());
    // The very first read on a fresh connection (the statement is prepared first).
    assert!(read_visible(&pool, a).await.expect("read").is_empty());
    insert(&pool, a, "a").await.expect("insert");
    insert(&pool, b, "b").await.expect("insert");
    let mut tasks = Vec::new();
    for i in 0..40 {
        let pool = pool.clone();
        let firm = if i % 2 == 0 { a } else { b };
        tasks.push(tokio::spawn(async move {
            let seen = read_visible(&pool, firm).await.expect("read");
            assert_eq!(seen, vec![firm.0], "a read saw another firm's rows");
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    // A failing read answers its error; the connection comes back usable.
    let failed: Result<(), ApiError> = lawos_db::read(&pool, &TenantCtx::firm(a, None), |conn| {
        Box::pin(async move {
            let mut conn = conn;
            diesel::sql_query("SELECT no_such_column FROM notes")
                .execute(&mut conn)
                .await?;
            Ok(())
        })
    })
    .await;
    assert!(failed.is_err());
    assert_eq!(read_visible(&pool, b).await.expect("read"), vec![b.0]);
    // A read dropped half-way: the pool's one connection is not handed out
    // inside its transaction.
    let ctx_a = TenantCtx::firm(a, None);
    let stalled = lawos_db::read(&pool, &ctx_a, |conn| {
        Box::pin(async move {
            let mut conn = conn;
            let _: Vec<Note> = diesel::sql_query("SELECT firm_id FROM notes")
                .load(&mut conn)
                .await?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        })
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stalled)
            .await
            .is_err()
    );
    let mut conn = pool.get().await.expect("conn");
    let clean: Flag = diesel::sql_query(
        "SELECT coalesce(current_setting('app.firm_id', true), '') = '' \
         AND pg_current_xact_id_if_assigned() IS NULL AS flag",
    )
    .get_result(&mut *conn)
    .await
    .expect("query");
    assert!(clean.flag, "a checkout inherited a read's transaction");
    drop(conn);
    assert_eq!(visible(&pool, a).await, vec![a.0]);
}
