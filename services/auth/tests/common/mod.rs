//! Shared helpers for the auth integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::Duration;

use chrono::Utc;
use lawos_auth::{Claims, KeySource, TokenValidator, TrustedIssuer};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_http::runtime::{ServiceEnv, app_settings};
use lawos_svc_auth::config::AuthConfig;
use lawos_svc_auth::crypto;
use lawos_svc_auth::model::{NewCredential, Profile, User};
use lawos_svc_auth::state::LOCAL_ISSUER;
use lawos_svc_auth::storage;
use lawos_testkit::TestApp;
use serde_json::Value;
use uuid::Uuid;

/// The auth and tenants services on one port.
pub async fn app() -> TestApp {
    TestApp::spawn(&[lawos_svc_auth::SPEC, lawos_svc_tenants::SPEC]).await
}

pub fn auth_config() -> AuthConfig {
    AuthConfig::from_env().unwrap()
}

/// The bootstrap administrator's credentials (the configured or default ones).
pub fn admin_credentials() -> (String, String) {
    let c = auth_config();
    (c.admin_email, c.admin_password)
}

/// A validator trusting the auth service of `app` through its JWKS endpoint,
/// refetching unknown keys after `refetch` at the earliest.
pub fn jwks_validator(app: &TestApp, refetch: Duration) -> TokenValidator {
    TokenValidator::builder()
        .issuer(TrustedIssuer {
            issuer: app.config.jwt_issuer.clone(),
            audience: app.config.jwt_audience.clone(),
            keys: KeySource::Remote(app.url("/.well-known/jwks.json")),
        })
        .min_refetch_interval(refetch)
        .build()
}

/// Another LawOS process (auth + tenants, same database) whose validator
/// trusts `app`'s auth service through its JWKS, as every service does in
/// production. Returns its base URL; it stops when the test's runtime ends.
pub async fn trusting_server(app: &TestApp, refetch: Duration) -> String {
    trusting_server_of(
        app,
        &[lawos_svc_auth::SPEC, lawos_svc_tenants::SPEC],
        refetch,
    )
    .await
}

/// Like [`trusting_server`], serving `specs` (their schemas must be in `app`'s database).
pub async fn trusting_server_of(
    app: &TestApp,
    specs: &[lawos_http::runtime::ServiceSpec],
    refetch: Duration,
) -> String {
    let envs: Vec<ServiceEnv> = specs
        .iter()
        .map(|s| ServiceEnv::connect(s, app.config.clone(), None).unwrap())
        .collect();
    let mounts: Vec<_> = specs.iter().zip(&envs).map(|(s, e)| (s.mount)(e)).collect();
    let settings = app_settings(
        &app.config,
        "LawOS trusting",
        Some(jwks_validator(app, refetch)),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server =
        actix_web::HttpServer::new(move || lawos_http::build_app(settings.clone(), mounts.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// Creates a local user (and profiles in `firms`) directly in the store.
pub async fn seed_user(
    app: &TestApp,
    email: &str,
    password: &str,
    platform_role: Option<&str>,
    firms: &[(Uuid, &str)],
) -> Uuid {
    let db = app.envs[0].db.clone();
    let hash = crypto::hash_secret(password).unwrap();
    let id = Uuid::now_v7();
    let now = Utc::now();
    let user = User {
        id,
        issuer: LOCAL_ISSUER.to_owned(),
        subject: id.to_string(),
        email: email.to_lowercase(),
        full_name: format!("User {email}"),
        platform_role: platform_role.map(str::to_owned),
        is_active: true,
        synced_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let profiles: Vec<Profile> = firms
        .iter()
        .map(|(firm, role)| Profile {
            firm_id: *firm,
            user_id: id,
            role: (*role).to_owned(),
            is_lawyer: *role == "LAWYER",
            title: None,
            phone: None,
            preferences: serde_json::json!({}),
            is_active: true,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
        .collect();
    with_tenant(&db, &TenantCtx::platform(None), |conn| {
        async move {
            storage::insert_user(conn, user).await?;
            storage::insert_credential(
                conn,
                NewCredential {
                    user_id: id,
                    password_hash: hash,
                },
            )
            .await?;
            for p in profiles {
                storage::insert_profile(conn, p).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
    .unwrap();
    id
}

/// `POST /oauth/token` with form `params`.
pub async fn token(app_url: &str, params: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{app_url}/oauth/token"))
        .form(params)
        .send()
        .await
        .unwrap()
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    token(
        &app.base_url,
        &[
            ("grant_type", "password"),
            ("username", email),
            ("password", password),
        ],
    )
    .await
}

/// Logs in and returns the token response body, asserting 200.
pub async fn login_ok(app: &TestApp, email: &str, password: &str) -> Value {
    let res = login(app, email, password).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn admin_login(app: &TestApp) -> Value {
    let (email, password) = admin_credentials();
    login_ok(app, &email, &password).await
}

pub async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    token(
        &app.base_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Asserts an RFC 6749 error response and returns its description.
pub async fn expect_oauth_error(res: reqwest::Response, status: u16, error: &str) -> String {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers().get("cache-control").unwrap(),
        "no-store",
        "errors are not cached"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}

/// The `kid` of a compact JWS.
pub fn kid(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["kid"].as_str().unwrap().to_owned()
}

/// The claims of `token`, verified against the auth service's JWKS.
pub async fn claims(app: &TestApp, token: &str) -> Claims {
    jwks_validator(app, Duration::from_millis(100))
        .validate_claims(token)
        .await
        .unwrap()
}

/// Runs `sql` as the database owner (test set-up only: expiring rows).
pub async fn sql(app: &TestApp, sql: &str) {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    conn.batch_execute(sql).await.unwrap();
}

/// Rows of a one-column text query, run as the database owner.
pub async fn texts(app: &TestApp, query: &str) -> Vec<String> {
    use diesel::sql_types::Text;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let mut conn = AsyncPgConnection::establish(&app.db.admin_url())
        .await
        .unwrap();
    diesel::sql_query(query)
        .load::<Row>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.v)
        .collect()
}

/// A token for `user` as a member of `firm` with `role`.
pub fn member_of(user: Uuid, firm: Uuid, role: &str) -> lawos_testkit::TestUser {
    lawos_testkit::TestUser {
        user_id: lawos_core::UserId(user),
        firm_id: Some(lawos_core::FirmId(firm)),
        roles: vec![role.to_owned()],
        scopes: vec![],
    }
}

/// Asserts an error envelope with `status` and `code` and returns the body.
pub async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    body
}

/// The fields named by a 422 envelope.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a 422 naming every field of `fields`.
pub async fn expect_fields(res: reqwest::Response, fields: &[&str]) -> Value {
    let body = expect_error(res, 422, "VALIDATION_ERROR").await;
    let named = error_fields(&body);
    for f in fields {
        assert!(named.contains(&(*f).to_owned()), "{f} in {named:?}: {body}");
    }
    body
}

/// The number of rows `query` (a `select count(*)`) counts, as the database owner.
pub async fn count(app: &TestApp, query: &str) -> i64 {
    let rows = texts(app, &format!("select ({query})::text as v")).await;
    rows[0].parse().unwrap()
}

/// Logs in to `firm` and returns the token response body, asserting 200.
pub async fn login_firm(app: &TestApp, email: &str, password: &str, firm: Uuid) -> Value {
    let firm = firm.to_string();
    let res = token(
        &app.base_url,
        &[
            ("grant_type", "password"),
            ("username", email),
            ("password", password),
            ("firm_id", &firm),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
