//! The `lawos-auth` binary: migrates and serves alone; its operator commands
//! `rotate-keys` and `create-service-account` work against a migrated database.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use lawos_db::testdb::{DEV_APP_PASSWORD, TestDatabase};

#[tokio::test]
async fn the_binary_migrates_and_serves_alone() {
    lawos_testkit::binary::migrates_and_serves(env!("CARGO_BIN_EXE_lawos-auth"), "auth").await;
}

fn run(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lawos-auth"))
        .args(args)
        .env("LAWOS_DATABASE_URL", db.admin_url())
        .env("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

async fn rows(db: &TestDatabase, query: &str) -> Vec<String> {
    use diesel::sql_types::Text;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let mut conn = AsyncPgConnection::establish(&db.admin_url()).await.unwrap();
    diesel::sql_query(query)
        .load::<Row>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.v)
        .collect()
}

#[tokio::test]
async fn rotate_keys_and_create_service_account_commands() {
    let db = TestDatabase::empty().await.unwrap();
    assert!(run(&db, &["migrate"]).status.success());

    let out = run(&db, &["rotate-keys"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = rows(&db, "select kid || ' ' || (not_before > now() + interval '50 seconds')::text as v from auth.signing_keys").await;
    assert_eq!(first.len(), 1);
    assert!(
        first[0].ends_with(" true"),
        "published ahead by the default 60 s: {first:?}"
    );
    let out = run(&db, &["rotate-keys", "--publish-ahead-secs", "120"]);
    assert!(out.status.success());
    let retired = rows(
        &db,
        "select count(*)::text as v from auth.signing_keys where retire_after is not null",
    )
    .await;
    assert_eq!(retired, ["1"], "the earlier key is scheduled to retire");
    // Shorter than the validators' refetch window is refused.
    let out = run(&db, &["rotate-keys", "--publish-ahead-secs", "5"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 45"));

    let out = run(
        &db,
        &[
            "create-service-account",
            "billing",
            "--scopes",
            "matters:read,contacts:read",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("client_id=lawos-billing"), "{stdout}");
    let secret = stdout
        .lines()
        .find_map(|l| l.strip_prefix("client_secret="))
        .unwrap();
    let stored = rows(
        &db,
        "select secret_hash || ' ' || array_to_string(scopes, ',') as v from auth.service_accounts",
    )
    .await;
    let (hash, scopes) = stored[0].split_once(' ').unwrap();
    assert_eq!(scopes, "matters:read,contacts:read");
    assert!(
        lawos_svc_auth::crypto::verify_secret(secret, hash),
        "only the hash is stored"
    );
    let out = run(
        &db,
        &["create-service-account", "Bad Name", "--scopes", "x"],
    );
    assert!(!out.status.success());
}
