//! A standard OpenID Connect relying party (the `openidconnect` crate) against
//! the auth service: the endpoints, keys and algorithms from its discovery
//! document, the password grant with `openid offline_access`, the ID token
//! verified, a refresh, and the scopes it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use lawos_testkit::TestApp;
use openidconnect::core::{
    CoreClient, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreTokenResponse,
};
use openidconnect::{
    AuthType, ClientId, IssuerUrl, JsonWebKeySetUrl, Nonce, OAuth2TokenResponse, RefreshToken,
    RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername, Scope, TokenResponse,
    TokenUrl, reqwest,
};
use serde_json::Value;

/// Auth and tenants whose issuer is the app's own URL, so that the discovery
/// document's endpoints are reachable.
async fn served_issuer() -> TestApp {
    TestApp::spawn_with(&[lawos_svc_auth::SPEC, lawos_svc_tenants::SPEC], |c| {
        c.jwt_issuer = c.tenants_url.clone();
    })
    .await
}

struct Rp {
    client: CoreClient<
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
    >,
    algs: Vec<CoreJwsSigningAlgorithm>,
    http: reqwest::Client,
}

/// The relying party as configured from the issuer's discovery document.
async fn relying_party(base: &str, client_id: &str) -> Rp {
    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let meta: Value = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for scope in ["openid", "offline_access"] {
        assert!(
            meta["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&Value::from(scope)),
            "{scope} advertised: {meta}"
        );
    }
    let algs: Vec<CoreJwsSigningAlgorithm> =
        serde_json::from_value(meta["id_token_signing_alg_values_supported"].clone()).unwrap();
    let jwks = CoreJsonWebKeySet::fetch_async(
        &JsonWebKeySetUrl::new(meta["jwks_uri"].as_str().unwrap().to_owned()).unwrap(),
        &http,
    )
    .await
    .unwrap();
    let client = CoreClient::new(
        ClientId::new(client_id.to_owned()),
        IssuerUrl::new(meta["issuer"].as_str().unwrap().to_owned()).unwrap(),
        jwks,
    )
    .set_auth_type(AuthType::RequestBody)
    .set_token_uri(TokenUrl::new(meta["token_endpoint"].as_str().unwrap().to_owned()).unwrap());
    Rp { client, algs, http }
}

impl Rp {
    async fn password(
        &self,
        user: &str,
        password: &str,
        scopes: &[&str],
    ) -> Result<CoreTokenResponse, String> {
        let (user, password) = (
            ResourceOwnerUsername::new(user.to_owned()),
            ResourceOwnerPassword::new(password.to_owned()),
        );
        let mut req = self.client.exchange_password(&user, &password);
        for s in scopes {
            req = req.add_scope(Scope::new((*s).to_owned()));
        }
        req.request_async(&self.http).await.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => r.error().to_string(),
            other => format!("{other:?}"),
        })
    }

    /// The ID token's subject and `auth_time`, verified with the issuer's keys.
    fn verify(&self, res: &CoreTokenResponse) -> (String, i64) {
        let id_token = res.id_token().expect("an ID token for openid");
        let verifier = self
            .client
            .id_token_verifier()
            .set_allowed_algs(self.algs.clone());
        let no_nonce = |_: Option<&Nonce>| Ok(());
        let claims = id_token.claims(&verifier, no_nonce).unwrap();
        assert_eq!(
            claims
                .audiences()
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>(),
            ["lawos-web"]
        );
        let auth_time = claims.auth_time().expect("auth_time").timestamp();
        (claims.subject().as_str().to_owned(), auth_time)
    }
}

#[tokio::test]
async fn an_openid_client_logs_in_with_openid_offline_access_and_verifies_the_id_token() {
    let app = served_issuer().await;
    let (email, password) = admin_credentials();
    let rp = relying_party(&app.base_url, "lawos-web").await;

    let res = rp
        .password(&email, &password, &["openid", "offline_access", "email"])
        .await
        .unwrap();
    let granted: Vec<String> = res
        .scopes()
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for s in ["openid", "offline_access", "email", "firms:create"] {
        assert!(granted.contains(&s.to_owned()), "{s} in {granted:?}");
    }
    let refresh = res
        .refresh_token()
        .expect("offline_access: a refresh token");
    let (subject, auth_time) = rp.verify(&res);
    // The access token is the platform's as ever: the administrator's scopes.
    let access = claims(&app, res.access_token().secret()).await;
    assert_eq!(access.sub, subject);
    assert!(access.scope.contains("firms:create"), "{}", access.scope);
    let id: Value = {
        use base64::Engine;
        let payload = res.id_token().unwrap().to_string();
        let part = payload.split('.').nth(1).unwrap().to_owned();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(id["email"], email);
    assert_eq!(id["sid"].as_str(), access.sid.as_deref());

    // A refresh keeps the OpenID scopes and answers a new ID token of the same login.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = rp
        .client
        .exchange_refresh_token(&RefreshToken::new(refresh.secret().clone()))
        .request_async(&rp.http)
        .await
        .unwrap();
    assert!(again.refresh_token().is_some(), "rotated");
    let (subject_again, auth_time_again) = rp.verify(&again);
    assert_eq!(subject_again, subject);
    assert_eq!(auth_time_again, auth_time, "auth_time is the login's");
}

#[tokio::test]
async fn offline_access_governs_the_refresh_token_and_unknown_scopes_are_refused() {
    let app = served_issuer().await;
    let (email, password) = admin_credentials();
    let rp = relying_party(&app.base_url, "lawos-web").await;

    // openid without offline_access: an ID token, no refresh token.
    let res = rp.password(&email, &password, &["openid"]).await.unwrap();
    assert!(res.refresh_token().is_none());
    rp.verify(&res);
    // No OpenID request: the plain OAuth answer, with a refresh token and no ID token.
    let res = rp.password(&email, &password, &[]).await.unwrap();
    assert!(res.refresh_token().is_some());
    assert!(res.id_token().is_none());
    // API scopes beside openid still narrow.
    let res = rp
        .password(
            &email,
            &password,
            &["openid", "offline_access", "firms:read"],
        )
        .await
        .unwrap();
    let access = claims(&app, res.access_token().secret()).await;
    assert!(!access.scope.contains("firms:create"), "{}", access.scope);
    assert!(access.scope.contains("firms:read"));

    // An unknown scope is refused, OpenID request or not.
    for scopes in [
        &["openid", "phone"][..],
        &["openid", "offline_access", "x:y"],
    ] {
        assert_eq!(
            rp.password(&email, &password, scopes).await.unwrap_err(),
            "invalid_scope",
            "{scopes:?}"
        );
    }
    // An ID token is never addressed to the API audience (it would pass as an access token).
    let api = relying_party(&app.base_url, &app.config.jwt_audience).await;
    assert_eq!(
        api.password(&email, &password, &["openid"])
            .await
            .unwrap_err(),
        "invalid_request"
    );
}
