//! `POST /oauth/token` and `POST /oauth/revoke` against a real database, with
//! the tokens checked by validators that trust the service only through its JWKS.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_svc_auth::cli;
use serde_json::{Value, json};

#[tokio::test]
async fn a_password_grant_token_is_accepted_by_another_service_through_the_jwks() {
    let app = app().await;
    let body = admin_login(&app).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("lrt_"));
    assert!(body["scope"].as_str().unwrap().contains("firms:create"));
    // The platform operator reads and verifies any firm's audit chain it names.
    assert!(body["scope"].as_str().unwrap().contains("audit:verify"));
    let access = body["access_token"].as_str().unwrap();

    let claims = claims(&app, access).await;
    assert_eq!(claims.iss, app.config.jwt_issuer);
    assert!(claims.aud.contains(&app.config.jwt_audience));
    assert_eq!(claims.exp - claims.iat, 900, "15-minute access tokens");
    assert!(claims.jti.is_some() && claims.sid.is_some());
    assert_eq!(claims.client_id.as_deref(), Some("lawos-web"));
    assert_eq!(claims.roles, ["SYSTEM_ADMIN"]);
    assert!(claims.firm_id.is_none());
    let (email, _) = admin_credentials();
    let admin_id = texts(
        &app,
        &format!("select id::text as v from auth.users where email = '{email}'"),
    )
    .await;
    assert_eq!(claims.sub, admin_id[0]);

    // Another process trusting the issuer's JWKS accepts it: the tenants service
    // creates a firm for the system administrator, the auth service shows /me.
    let other = trusting_server(&app, Duration::from_secs(30)).await;
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{other}/api/v1/tenants/"))
        .bearer_auth(access)
        .json(&json!({
            "name": "Smith Law", "slug": "smith-law", "contactEmail": "office@smith.example",
            "billingPlan": "professional"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = http
        .get(format!("{other}/api/v1/auth/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], email);
    assert_eq!(me["role"], "SYSTEM_ADMIN");

    // The test app trusts only its own test issuer: the same token is refused there.
    let res = http
        .get(app.url("/api/v1/tenants/"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn wrong_passwords_unknown_users_and_bad_requests_get_rfc_6749_errors() {
    let app = app().await;
    let (email, password) = admin_credentials();
    let wrong = login(&app, &email, "not-the-password").await;
    let unknown = login(&app, "nobody@lawos.local", &password).await;
    let a = expect_oauth_error(wrong, 400, "invalid_grant").await;
    let b = expect_oauth_error(unknown, 400, "invalid_grant").await;
    assert_eq!(
        a, b,
        "an unknown user is indistinguishable from a wrong password"
    );

    let missing = token(
        &app.base_url,
        &[("grant_type", "password"), ("username", &email)],
    )
    .await;
    let why = expect_oauth_error(missing, 400, "invalid_request").await;
    assert!(why.contains("password"), "{why}");
    let odd = token(&app.base_url, &[("grant_type", "implicit")]).await;
    expect_oauth_error(odd, 400, "unsupported_grant_type").await;
    let json_body = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .json(&json!({"grant_type": "password"}))
        .send()
        .await
        .unwrap();
    expect_oauth_error(json_body, 400, "invalid_request").await;

    // Idempotency-Key does not apply here: a token is never stored and replayed,
    // and a malformed key is no reason for an error of another shape.
    let keyed = |key: &'static str| {
        reqwest::Client::new()
            .post(app.url("/oauth/token"))
            .header("idempotency-key", key)
            .form(&[
                ("grant_type", "password"),
                ("username", email.as_str()),
                ("password", password.as_str()),
            ])
            .send()
    };
    let mut issued = Vec::new();
    for key in ["same-key", "same-key"] {
        let res = keyed(key).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().get("idempotent-replayed").is_none());
        let body: Value = res.json().await.unwrap();
        issued.push(body["access_token"].as_str().unwrap().to_owned());
    }
    assert_ne!(issued[0], issued[1], "each request gets its own token");
    let malformed = keyed("").await.unwrap();
    assert_eq!(malformed.status(), 200, "the key is ignored, not refused");

    // A deactivated user cannot sign in, even with the right password.
    seed_user(&app, "gone@firm.example", "right-password", None, &[]).await;
    sql(
        &app,
        "update auth.users set is_active = false where email = 'gone@firm.example'",
    )
    .await;
    let res = login(&app, "gone@firm.example", "right-password").await;
    expect_oauth_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn firm_members_get_their_firm_and_role_but_no_admin_scopes() {
    let app = app().await;
    let (f1, f2) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let lawyer = seed_user(
        &app,
        "Lawyer@Firm.example",
        "lawyer-pass",
        None,
        &[(f1, "LAWYER")],
    )
    .await;
    let body = login_ok(&app, "lawyer@firm.example", "lawyer-pass").await;
    assert_eq!(body["scope"], "");
    let c = claims(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(c.sub, lawyer.to_string());
    assert_eq!(c.firm_id.map(|f| f.0), Some(f1));
    assert_eq!(c.roles, ["LAWYER"]);
    assert!(c.scope.is_empty());
    let res = token(
        &app.base_url,
        &[
            ("grant_type", "password"),
            ("username", "lawyer@firm.example"),
            ("password", "lawyer-pass"),
            ("scope", "firms:create"),
        ],
    )
    .await;
    expect_oauth_error(res, 400, "invalid_scope").await;

    // Someone in two firms says which one.
    seed_user(
        &app,
        "two@firm.example",
        "two-pass",
        None,
        &[(f1, "STAFF"), (f2, "FIRM_ADMIN")],
    )
    .await;
    let res = login(&app, "two@firm.example", "two-pass").await;
    let why = expect_oauth_error(res, 400, "invalid_request").await;
    assert!(why.contains("firm_id"), "{why}");
    let f2s = f2.to_string();
    let ok = token(
        &app.base_url,
        &[
            ("grant_type", "password"),
            ("username", "two@firm.example"),
            ("password", "two-pass"),
            ("firm_id", &f2s),
        ],
    )
    .await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    let c = claims(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (c.firm_id.map(|f| f.0), c.roles),
        (Some(f2), vec!["FIRM_ADMIN".to_owned()])
    );
    let stranger = uuid::Uuid::now_v7().to_string();
    let res = token(
        &app.base_url,
        &[
            ("grant_type", "password"),
            ("username", "two@firm.example"),
            ("password", "two-pass"),
            ("firm_id", &stranger),
        ],
    )
    .await;
    expect_oauth_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn refresh_rotates_on_every_use_and_reuse_revokes_the_whole_family() {
    let app = app().await;
    let first = admin_login(&app).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let sid = claims(&app, first["access_token"].as_str().unwrap())
        .await
        .sid;

    let res = refresh(&app, &r1).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "a new refresh token on every use");
    let c2 = claims(&app, second["access_token"].as_str().unwrap()).await;
    assert_eq!(c2.sid, sid, "the session id stays");
    assert_eq!(c2.roles, ["SYSTEM_ADMIN"]);

    // The spent r1 comes back (stolen?): refused, and the family dies with it.
    let reuse = refresh(&app, &r1).await;
    let why = expect_oauth_error(reuse, 400, "invalid_grant").await;
    assert!(why.contains("already used"), "{why}");
    let after = refresh(&app, &r2).await;
    let why = expect_oauth_error(after, 400, "invalid_grant").await;
    assert!(why.contains("revoked"), "{why}");
    let reason = texts(
        &app,
        &format!(
            "select revoked_reason as v from auth.sessions where id = '{}'",
            sid.unwrap()
        ),
    )
    .await;
    assert_eq!(reason, ["reuse_detected"]);

    // Other sessions are untouched.
    let other = admin_login(&app).await;
    let res = refresh(&app, other["refresh_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn revoke_ends_the_session_and_always_answers_200() {
    let app = app().await;
    let body = admin_login(&app).await;
    let r1 = body["refresh_token"].as_str().unwrap();
    let http = reqwest::Client::new();
    let res = http
        .post(app.url("/oauth/revoke"))
        .form(&[("token", r1), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    expect_oauth_error(refresh(&app, r1).await, 400, "invalid_grant").await;

    // Unknown tokens and unknown hints: still 200 (RFC 7009 §2.2).
    let res = http
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("token", "lrt_never-issued"),
            ("token_type_hint", "whatever"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Again on the revoked one: 200, nothing changes.
    let res = http
        .post(app.url("/oauth/revoke"))
        .form(&[("token", r1)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // No token at all is a malformed request.
    let res = http
        .post(app.url("/oauth/revoke"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, 400, "invalid_request").await;
}

#[tokio::test]
async fn expired_refresh_tokens_and_expired_access_tokens_are_refused() {
    let app = app().await;
    let body = admin_login(&app).await;
    let r1 = body["refresh_token"].as_str().unwrap();
    sql(
        &app,
        "update auth.refresh_tokens set expires_at = now() - interval '1 second'",
    )
    .await;
    let why = expect_oauth_error(refresh(&app, r1).await, 400, "invalid_grant").await;
    assert!(why.contains("expired"), "{why}");

    // An access token past its `exp` (beyond the validators' 30 s leeway),
    // signed with the issuer's real key, is refused as expired by other services.
    let state = lawos_svc_auth::state::AuthState::new(
        app.envs[0].db.clone(),
        auth_config(),
        app.config.jwt_issuer.clone(),
        app.config.jwt_audience.clone(),
    );
    let live = claims(&app, body["access_token"].as_str().unwrap()).await;
    let mut old = live.clone();
    old.iat -= 1000;
    old.exp = old.iat + 900;
    let expired = state.sign(&old).await.unwrap();
    assert_eq!(kid(&expired), kid(body["access_token"].as_str().unwrap()));
    let other = trusting_server(&app, Duration::from_secs(30)).await;
    let res = reqwest::Client::new()
        .get(format!("{other}/api/v1/auth/me"))
        .bearer_auth(&expired)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "AUTH_TOKEN_EXPIRED");
}

#[tokio::test]
async fn service_accounts_get_client_credentials_tokens() {
    let app = app().await;
    let (account, secret) = cli::create_service_account(
        &app.envs[0].db,
        "billing",
        &["matters:read,contacts:read".replace(',', " ")],
    )
    .await
    .unwrap();
    assert_eq!(account.client_id, "lawos-billing");
    assert_eq!(account.scopes, ["matters:read", "contacts:read"]);
    let stored = texts(&app, "select secret_hash as v from auth.service_accounts").await;
    assert!(stored[0].starts_with("$argon2id$") && !stored[0].contains(&secret));

    let grant = |scope: Option<&'static str>, secret: String| {
        let base = app.base_url.clone();
        async move {
            let mut p = vec![
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", "lawos-billing".to_owned()),
                ("client_secret", secret),
            ];
            if let Some(s) = scope {
                p.push(("scope", s.to_owned()));
            }
            reqwest::Client::new()
                .post(format!("{base}/oauth/token"))
                .form(&p)
                .send()
                .await
                .unwrap()
        }
    };
    let res = grant(None, secret.clone()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token for clients"
    );
    assert_eq!(body["scope"], "matters:read contacts:read");
    let c = claims(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (c.sub.as_str(), c.client_id.as_deref()),
        ("lawos-billing", Some("lawos-billing"))
    );
    assert!(c.sid.is_none() && c.firm_id.is_none() && c.roles.is_empty());

    // The platform's own service-token client authenticates with HTTP Basic.
    use lawos_auth::ServiceTokenSource;
    let basic = lawos_auth::ClientCredentials::new(
        format!("{}/oauth/token", app.base_url),
        "lawos-billing",
        &secret,
    );
    let service_token = basic.token().await.unwrap();
    let c = claims(&app, &service_token).await;
    assert_eq!(c.sub, "lawos-billing");

    let res = grant(Some("contacts:read"), secret.clone()).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "contacts:read");
    expect_oauth_error(
        grant(Some("firms:create"), secret.clone()).await,
        400,
        "invalid_scope",
    )
    .await;
    expect_oauth_error(
        grant(None, "lsa_wrong".to_owned()).await,
        401,
        "invalid_client",
    )
    .await;
    let res = token(
        &app.base_url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "lawos-nope"),
            ("client_secret", "x"),
        ],
    )
    .await;
    expect_oauth_error(res, 401, "invalid_client").await;
    // Names are unique.
    let again = cli::create_service_account(&app.envs[0].db, "billing", &[]).await;
    assert!(again.is_err());
}

#[tokio::test]
async fn discovery_and_jwks_describe_the_issuer() {
    let app = app().await;
    let http = reqwest::Client::new();
    let meta: Value = http
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let iss = app.config.jwt_issuer.trim_end_matches('/');
    assert_eq!(meta["issuer"], iss);
    assert_eq!(meta["jwks_uri"], format!("{iss}/.well-known/jwks.json"));
    assert_eq!(meta["token_endpoint"], format!("{iss}/oauth/token"));
    assert_eq!(meta["revocation_endpoint"], format!("{iss}/oauth/revoke"));
    assert_eq!(
        meta["id_token_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert_eq!(
        meta["grant_types_supported"],
        json!(["password", "client_credentials", "refresh_token"])
    );

    let res = http
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers().get("cache-control").unwrap(),
        "public, max-age=15"
    );
    let jwks: Value = res.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "one key on first start: {jwks}");
    assert_eq!(keys[0]["alg"], "ES256");
    assert_eq!(keys[0]["use"], "sig");
    assert_eq!(keys[0]["kty"], "EC");
    assert!(keys[0].get("d").is_none(), "never the private part");
    let stored = texts(
        &app,
        "select kid || ' ' || master_key_id as v from auth.signing_keys",
    )
    .await;
    assert_eq!(
        stored,
        [format!(
            "{} {}",
            keys[0]["kid"].as_str().unwrap(),
            auth_config().master_key.id()
        )]
    );
}
