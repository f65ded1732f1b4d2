//! The platform keeps a system administrator: nobody deactivates or erases
//! themself, the last active system administrator stays (409), and an
//! operator with database access recovers one with `recover-admin`.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::*;
use lawos_db::testdb::DEV_APP_PASSWORD;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use uuid::Uuid;

/// A token for the system administrator `id` (the scopes of a real one).
fn admin_token_for(id: Uuid) -> TestUser {
    TestUser {
        user_id: lawos_core::UserId(id),
        ..TestUser::system_admin()
    }
}

async fn delete(app: &TestApp, who: &TestUser, id: Uuid, erase: bool) -> reqwest::Response {
    let path = if erase {
        format!("/api/v1/auth/users/{id}?erase=true")
    } else {
        format!("/api/v1/auth/users/{id}")
    };
    app.as_user(Method::DELETE, &path, who)
        .send()
        .await
        .unwrap()
}

/// The bootstrap administrator's id (logging in creates them on an empty database).
async fn bootstrap_admin(app: &TestApp) -> Uuid {
    let body = admin_login(app).await;
    claims(app, body["access_token"].as_str().unwrap())
        .await
        .sub
        .parse()
        .unwrap()
}

async fn active_admins(app: &TestApp) -> i64 {
    count(
        app,
        "select count(*) from auth.users where platform_role = 'SYSTEM_ADMIN' \
         and is_active and deleted_at is null",
    )
    .await
}

#[tokio::test]
async fn the_last_active_system_administrator_cannot_be_deactivated_or_erased() {
    let app = app().await;
    let first = bootstrap_admin(&app).await;
    let (email, password) = admin_credentials();

    // Not by themself, not by anyone else while they are the only one.
    let res = delete(&app, &admin_token_for(first), first, false).await;
    expect_error(res, 409, "SELF_DEACTIVATION").await;
    let res = delete(&app, &admin_token_for(first), first, true).await;
    expect_error(res, 409, "SELF_DEACTIVATION").await;
    let someone = TestUser::system_admin();
    let res = delete(&app, &someone, first, false).await;
    let body = expect_error(res, 409, "LAST_SYSTEM_ADMIN").await;
    assert_eq!(body["error"]["details"]["userId"], first.to_string());
    let res = delete(&app, &someone, first, true).await;
    expect_error(res, 409, "LAST_SYSTEM_ADMIN").await;
    assert_eq!(active_admins(&app).await, 1);
    login_ok(&app, &email, &password).await;

    // With a second administrator the first can go; then the second is the last.
    let second = seed_user(
        &app,
        "second@ops.example",
        "second-password",
        Some("SYSTEM_ADMIN"),
        &[],
    )
    .await;
    let res = delete(&app, &admin_token_for(second), first, false).await;
    assert_eq!(res.status(), 204);
    expect_oauth_error(login(&app, &email, &password).await, 400, "invalid_grant").await;
    for erase in [false, true] {
        let res = delete(&app, &someone, second, erase).await;
        expect_error(res, 409, "LAST_SYSTEM_ADMIN").await;
    }
    assert_eq!(active_admins(&app).await, 1);
    login_ok(&app, "second@ops.example", "second-password").await;

    // A firm administrator does not deactivate their own membership either.
    let firm = Uuid::now_v7();
    let cat = seed_user(
        &app,
        "cat@f.example",
        "cat-password",
        None,
        &[(firm, "FIRM_ADMIN")],
    )
    .await;
    let res = delete(&app, &member_of(cat, firm, "FIRM_ADMIN"), cat, false).await;
    expect_error(res, 409, "SELF_DEACTIVATION").await;
    // Other users are deactivated as before.
    let res = delete(&app, &admin_token_for(second), cat, false).await;
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn two_administrators_deactivating_each_other_at_once_leave_one() {
    let app = app().await;
    let first = bootstrap_admin(&app).await;
    sql(
        &app,
        &format!("update auth.users set is_active = false where id = '{first}'"),
    )
    .await;
    for round in 0..3 {
        let a = seed_user(
            &app,
            &format!("a{round}@ops.example"),
            "a-password",
            Some("SYSTEM_ADMIN"),
            &[],
        )
        .await;
        let b = seed_user(
            &app,
            &format!("b{round}@ops.example"),
            "b-password",
            Some("SYSTEM_ADMIN"),
            &[],
        )
        .await;
        // The survivor of the previous round steps aside (directly in the store).
        sql(
            &app,
            &format!(
                "update auth.users set is_active = false where platform_role = 'SYSTEM_ADMIN' \
                 and id not in ('{a}', '{b}')"
            ),
        )
        .await;
        let (ta, tb) = (admin_token_for(a), admin_token_for(b));
        let (ra, rb) = tokio::join!(delete(&app, &ta, b, false), delete(&app, &tb, a, true));
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 409], "round {round}");
        assert_eq!(active_admins(&app).await, 1, "round {round}");
    }
}

fn recover(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawos-auth"))
        .arg("recover-admin")
        .args(args)
        .env("LAWOS_DATABASE_URL", app.db.admin_url())
        .env("LAWOS_DB_APP_PASSWORD", DEV_APP_PASSWORD)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test]
async fn recover_admin_brings_one_back_where_none_is_active() {
    let app = app().await;
    let first = bootstrap_admin(&app).await;
    let (email, password) = admin_credentials();
    sql(&app, "update auth.users set is_active = false").await;
    assert_eq!(active_admins(&app).await, 0);
    expect_oauth_error(login(&app, &email, &password).await, 400, "invalid_grant").await;

    // Refused without the password on standard input, or with a short one.
    let out = recover(&app, &["--email", &email], "");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--password-stdin"),
        "{}",
        text(&out.stderr)
    );
    let out = recover(&app, &["--email", &email, "--password-stdin"], "short\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("password"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(active_admins(&app).await, 0);

    // The lost administrator is reactivated with a new password.
    let out = recover(
        &app,
        &["--email", &email.to_uppercase(), "--password-stdin"],
        "a-new-long-password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("reactivated system administrator {email}")),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(active_admins(&app).await, 1);
    expect_oauth_error(login(&app, &email, &password).await, 400, "invalid_grant").await;
    let body = login_ok(&app, &email, "a-new-long-password").await;
    let c = claims(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(c.sub, first.to_string());
    assert_eq!(c.roles, ["SYSTEM_ADMIN"]);

    // A new one for an unknown e-mail.
    let out = recover(
        &app,
        &["--email", "ops@recovery.example", "--password-stdin"],
        "another-long-password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created system administrator ops@recovery.example"));
    login_ok(&app, "ops@recovery.example", "another-long-password").await;
    assert_eq!(active_admins(&app).await, 2);

    // Each run is audited in the outbox (published to the audit log).
    let events = texts(
        &app,
        "select (payload->'data'->>'userId') || ' ' || (payload->'data'->>'created') || ' ' \
         || (payload->'data'->>'reactivated') || ' ' || (payload->'data'->>'operator' <> '')::text \
         as v from auth.outbox where event_type = 'system_admin.recovered' order by id",
    )
    .await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0], format!("{first} false true true"));
    assert!(events[1].ends_with(" true false true"), "{events:?}");
}
