//! SSO through a real OpenID Connect provider (node-oidc-provider, started by
//! each test on a loopback port) and the `lawos-auth` binary: the whole
//! redirect dance, the account policy, bad states, provider errors, and the
//! RFC 8693 exchange of an external ID token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sso_common;

use reqwest::header::AUTHORIZATION;
use serde_json::Value;
use sso_common::{
    Account, AtProvider, Auth, Browser, Provider, expect_error, free_port, id_token_from, param,
    redirect_uri, sso_env, with_param,
};
use uuid::Uuid;

const PROVIDER: &str = "acme-idp";

fn account<'a>(subject: &'a str, email: &'a str, name: &'a str) -> Account<'a> {
    Account {
        subject,
        email,
        name,
        email_verified: true,
    }
}

async fn me(auth: &Auth, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(auth.url("/api/v1/auth/me"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
}

/// Logs `subject` in through the provider; answers the callback's response.
async fn sso_login(auth: &Auth, port: u16, subject: &str) -> (reqwest::Response, String) {
    let mut browser = Browser::new();
    let authorize = browser.start_login(auth, PROVIDER).await;
    let callback = browser
        .walk(
            &authorize,
            &redirect_uri(port, PROVIDER),
            AtProvider::SignIn(subject),
        )
        .await;
    (browser.get(&callback).await, callback)
}

#[tokio::test]
async fn a_provisioned_user_signs_in_through_the_provider_and_the_tokens_work() {
    let port = free_port();
    let provider = Provider::start(
        &redirect_uri(port, PROVIDER),
        &[account("alice-sub", "alice@acme.test", "Alice Lawyer")],
    );
    let auth = Auth::start(port, &sso_env(PROVIDER, &provider.issuer, port, None)).await;
    let (firm_a, firm_b) = (Uuid::now_v7(), Uuid::now_v7());
    let alice = auth
        .seed_user("alice@acme.test", "A. Provisioned", firm_a, "LAWYER")
        .await;
    let bob = auth
        .seed_user("bob@other.test", "Bob Other", firm_b, "LAWYER")
        .await;

    let (res, callback) = sso_login(&auth, port, "alice-sub").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["user"]["id"], alice.to_string());
    assert_eq!(body["firmId"], firm_a.to_string());
    assert!(body["refreshToken"].as_str().unwrap().starts_with("lrt_"));

    // The user mirror is linked to the external identity and synced.
    let (issuer, subject, synced) = auth.identity(alice).await;
    assert_eq!(
        (issuer.as_str(), subject.as_str()),
        (provider.issuer.as_str(), "alice-sub")
    );
    assert!(synced);

    // The platform's access token is accepted by the platform.
    let access = body["accessToken"].as_str().unwrap();
    let res = me(&auth, access).await;
    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["email"], "alice@acme.test");
    assert_eq!(
        profile["fullName"], "Alice Lawyer",
        "the name comes from the provider"
    );
    assert_eq!(profile["firmId"], firm_a.to_string());

    // Another firm's member does not exist for her.
    let res = reqwest::Client::new()
        .get(auth.url(&format!("/api/v1/auth/members/{bob}")))
        .header(AUTHORIZATION, format!("Bearer {access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // The refresh token rotates like any other.
    let res = reqwest::Client::new()
        .post(auth.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refreshToken"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // The callback cannot be replayed: its state was spent.
    let res = Browser::new().get(&callback).await;
    expect_error(res, 400, "SSO_STATE_INVALID").await;

    // A second login finds her by issuer + subject.
    let (res, _) = sso_login(&auth, port, "alice-sub").await;
    assert_eq!(res.status(), 200);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["user"]["id"], alice.to_string());
}

#[tokio::test]
async fn only_active_members_of_the_providers_firm_with_a_verified_email_sign_in() {
    let port = free_port();
    let (firm_a, firm_b) = (Uuid::now_v7(), Uuid::now_v7());
    let provider = Provider::start(
        &redirect_uri(port, PROVIDER),
        &[
            account("stranger", "nobody@acme.test", "No Account"),
            account("bob-sub", "bob@other.test", "Bob Other"),
            Account {
                email_verified: false,
                ..account("carol-sub", "carol@acme.test", "Carol")
            },
            account("dave-sub", "dave@acme.test", "Dave Former"),
            account("erin-sub", "erin@acme.test", "Erin Paralegal"),
        ],
    );
    let auth = Auth::start(
        port,
        &sso_env(PROVIDER, &provider.issuer, port, Some(firm_a)),
    )
    .await;
    let bob = auth
        .seed_user("bob@other.test", "Bob Other", firm_b, "LAWYER")
        .await;
    let carol = auth
        .seed_user("carol@acme.test", "Carol", firm_a, "STAFF")
        .await;
    let dave = auth
        .seed_user("dave@acme.test", "Dave Former", firm_a, "LAWYER")
        .await;
    auth.sql(&format!(
        "UPDATE auth.users SET is_active = false WHERE id = '{dave}'"
    ))
    .await;
    let erin = auth
        .seed_user("erin@acme.test", "Erin Paralegal", firm_a, "PARALEGAL")
        .await;

    // No account with that e-mail: no just-in-time creation.
    let (res, _) = sso_login(&auth, port, "stranger").await;
    let details = expect_error(res, 403, "SSO_USER_NOT_PROVISIONED").await;
    assert_eq!(details["reason"], "no account has this e-mail");
    assert_eq!(
        auth.text("SELECT count(*)::text AS v FROM auth.users WHERE email = 'nobody@acme.test'")
            .await
            .as_deref(),
        Some("0")
    );
    // A member of another firm is refused by a provider bound to firm A, and stays unlinked.
    let (res, _) = sso_login(&auth, port, "bob-sub").await;
    expect_error(res, 403, "SSO_USER_NOT_PROVISIONED").await;
    assert_eq!(auth.identity(bob).await.0, "urn:lawos:local");
    assert!(!auth.identity(bob).await.2, "nothing was written");
    // An e-mail the provider does not vouch for links nothing.
    let (res, _) = sso_login(&auth, port, "carol-sub").await;
    expect_error(res, 403, "SSO_USER_NOT_PROVISIONED").await;
    assert_eq!(auth.identity(carol).await.0, "urn:lawos:local");
    // A deactivated account is refused.
    let (res, _) = sso_login(&auth, port, "dave-sub").await;
    expect_error(res, 403, "SSO_USER_NOT_PROVISIONED").await;
    assert_eq!(auth.identity(dave).await.0, "urn:lawos:local");

    // A member of firm A signs in to firm A, with her role's scopes only.
    let (res, _) = sso_login(&auth, port, "erin-sub").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["id"], erin.to_string());
    assert_eq!(body["firmId"], firm_a.to_string());
    let access = body["accessToken"].as_str().unwrap();
    // A paralegal may not administer users: refused (403 on the firm's own list).
    let res = reqwest::Client::new()
        .get(auth.url(&format!("/api/v1/auth/firms/{firm_a}/users")))
        .header(AUTHORIZATION, format!("Bearer {access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn bad_states_provider_errors_and_unknown_providers_are_refused() {
    let port = free_port();
    let redirect = redirect_uri(port, PROVIDER);
    let provider = Provider::start(
        &redirect,
        &[account("alice-sub", "alice@acme.test", "Alice")],
    );
    // A second provider whose issuer nothing answers at.
    let mut env = sso_env(PROVIDER, &provider.issuer, port, None);
    let down = sso_env(
        "down",
        &format!("http://127.0.0.1:{}", free_port()),
        port,
        None,
    );
    env[0].1 = format!("{PROVIDER},down");
    env.extend(down.into_iter().skip(1));
    let auth = Auth::start(port, &env).await;
    let alice = auth
        .seed_user("alice@acme.test", "Alice", Uuid::now_v7(), "LAWYER")
        .await;
    let mut browser = Browser::new();

    // A provider that cannot be reached: a clear 502, no redirect.
    let res = browser.get(&auth.url("/api/v1/auth/sso/down/login")).await;
    expect_error(res, 502, "SSO_PROVIDER_UNAVAILABLE").await;

    // Unknown providers do not exist.
    for path in [
        "/api/v1/auth/sso/nope/login",
        "/api/v1/auth/sso/nope/callback?code=c&state=s",
    ] {
        let res = browser.get(&auth.url(path)).await;
        expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    }
    // A state nobody issued, and none at all.
    let callback = format!("/api/v1/auth/sso/{PROVIDER}/callback");
    let res = browser
        .get(&auth.url(&format!("{callback}?code=c&state=forged-state")))
        .await;
    expect_error(res, 400, "SSO_STATE_INVALID").await;
    let res = browser.get(&auth.url(&format!("{callback}?code=c"))).await;
    expect_error(res, 400, "SSO_STATE_INVALID").await;
    let res = browser
        .get(&auth.url(&format!("/api/v1/auth/sso/{PROVIDER}/login?firm_id=acme")))
        .await;
    expect_error(res, 422, "VALIDATION_ERROR").await;

    // The user cancels at the provider: error=access_denied, and the state is spent.
    let authorize = browser.start_login(&auth, PROVIDER).await;
    let back = browser
        .walk(&authorize, &redirect, AtProvider::Cancel)
        .await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    let details = expect_error(browser.get(&back).await, 400, "SSO_PROVIDER_ERROR").await;
    assert_eq!(details["error"], "access_denied");
    let state = param(&back, "state").unwrap();
    let res = browser
        .get(&auth.url(&format!("{callback}?code=c&state={state}")))
        .await;
    expect_error(res, 400, "SSO_STATE_INVALID").await;

    // A nonce changed on the way to the provider: the ID token does not match the login.
    let authorize = browser.start_login(&auth, PROVIDER).await;
    let tampered = with_param(&authorize, "nonce", "a-nonce-of-someone-else");
    let back = browser
        .walk(&tampered, &redirect, AtProvider::SignIn("alice-sub"))
        .await;
    let details = expect_error(browser.get(&back).await, 400, "SSO_ID_TOKEN_INVALID").await;
    assert!(
        details["reason"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("nonce"),
        "{details}"
    );

    // A code delivered with another login's state: the PKCE verifier does not match.
    let first = browser.start_login(&auth, PROVIDER).await;
    let second = browser.start_login(&auth, PROVIDER).await;
    let back = browser
        .walk(&first, &redirect, AtProvider::SignIn("alice-sub"))
        .await;
    let swapped = with_param(&back, "state", &param(&second, "state").unwrap());
    expect_error(browser.get(&swapped).await, 400, "SSO_CODE_REJECTED").await;

    // None of it linked or changed the account.
    let (issuer, _, synced) = auth.identity(alice).await;
    assert_eq!(issuer, "urn:lawos:local");
    assert!(!synced);
}

#[tokio::test]
async fn an_external_id_token_is_exchanged_for_platform_tokens() {
    let port = free_port();
    let redirect = redirect_uri(port, PROVIDER);
    let accounts = [account("alice-sub", "alice@acme.test", "Alice Lawyer")];
    let provider = Provider::start(&redirect, &accounts);
    // The same client at an issuer the platform is not configured to trust.
    let unconfigured = Provider::start(&redirect, &accounts);
    let auth = Auth::start(port, &sso_env(PROVIDER, &provider.issuer, port, None)).await;
    let firm = Uuid::now_v7();
    let alice = auth
        .seed_user("alice@acme.test", "Alice", firm, "LAWYER")
        .await;
    let exchange = |token: String, kind: &'static str| {
        let url = auth.url("/oauth/token");
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                    ),
                    ("subject_token", token.as_str()),
                    ("subject_token_type", kind),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

    // From an issuer that is not a configured provider: refused, nothing linked.
    let foreign = id_token_from(&unconfigured, &redirect, "alice-sub").await;
    let res = exchange(foreign, ID_TOKEN).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert_eq!(auth.identity(alice).await.0, "urn:lawos:local");

    let id_token = id_token_from(&provider, &redirect, "alice-sub").await;
    // A tampered signature is refused.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    parts[1] = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
        claims["sub"] = "someone-else".into();
        b64.encode(claims.to_string())
    };
    let res = exchange(parts.join("."), ID_TOKEN).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");

    // The provider's ID token is swapped for a platform session.
    let res = exchange(id_token, ID_TOKEN).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert!(body["refresh_token"].is_string());
    let res = me(&auth, body["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["id"], alice.to_string());
    assert_eq!(profile["firmId"], firm.to_string());
    let (issuer, subject, _) = auth.identity(alice).await;
    assert_eq!(
        (issuer.as_str(), subject.as_str()),
        (provider.issuer.as_str(), "alice-sub")
    );

    // A platform access token presented as the subject keeps meaning support access.
    let res = exchange(
        body["access_token"].as_str().unwrap().to_owned(),
        "urn:ietf:params:oauth:token-type:access_token",
    )
    .await;
    let refused: Value = res.json().await.unwrap();
    assert_eq!(refused["error"], "invalid_grant", "{refused}");
    assert!(
        refused["error_description"]
            .as_str()
            .unwrap()
            .contains("support-access:create"),
        "{refused}"
    );
}
