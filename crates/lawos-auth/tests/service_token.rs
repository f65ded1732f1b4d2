//! Service tokens: `client_credentials` against a token endpoint (served here by a
//! local server that counts calls), cached until shortly before expiry; signed
//! service tokens are accepted as service principals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use lawos_auth::{
    ClientCredentials, Es256Signer, KeySource, ServiceTokenSource, SignedServiceTokens,
    TokenValidator, TrustedIssuer,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

async fn token_endpoint(
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
    calls: web::Data<(AtomicUsize, u64)>,
) -> HttpResponse {
    let n = calls.0.fetch_add(1, Ordering::SeqCst);
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // "lawos-tenants:s3cret" in base64
    if auth != "Basic bGF3b3MtdGVuYW50czpzM2NyZXQ=" {
        return HttpResponse::Unauthorized().json(serde_json::json!({ "error": "invalid_client" }));
    }
    assert!(
        form.iter()
            .any(|(k, v)| k == "grant_type" && v == "client_credentials")
    );
    HttpResponse::Ok().json(serde_json::json!({
        "access_token": format!("token-{n}"), "token_type": "Bearer", "expires_in": calls.1
    }))
}

async fn serve(expires_in: u64) -> (String, Arc<web::Data<(AtomicUsize, u64)>>) {
    let calls = web::Data::new((AtomicUsize::new(0), expires_in));
    let data = calls.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/oauth/token", web::post().to(token_endpoint))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    (format!("http://{addr}/oauth/token"), Arc::new(calls))
}

#[tokio::test]
async fn client_credentials_tokens_are_fetched_once_and_cached() {
    let (url, calls) = serve(900).await;
    let source = ClientCredentials::new(&url, "lawos-tenants", "s3cret");
    let a = source.token().await.unwrap();
    let b = source.token().await.unwrap();
    assert_eq!(a, "token-0");
    assert_eq!(a, b);
    assert_eq!(calls.0.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed() {
    let (url, calls) = serve(30).await;
    let source = ClientCredentials::new(&url, "lawos-tenants", "s3cret");
    assert_eq!(source.token().await.unwrap(), "token-0");
    assert_eq!(
        source.token().await.unwrap(),
        "token-1",
        "30 s left is inside the renewal margin"
    );
    assert_eq!(calls.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_client_is_service_unavailable_not_a_token() {
    let (url, _) = serve(900).await;
    let err = ClientCredentials::new(&url, "lawos-tenants", "wrong")
        .token()
        .await
        .unwrap_err();
    assert_eq!(err.code, lawos_core::ErrorCode::ServiceUnavailable);
}

#[tokio::test]
async fn signed_service_tokens_are_service_principals() {
    let signer = Es256Signer::generate().unwrap();
    let validator = TokenValidator::new(vec![TrustedIssuer {
        issuer: "https://issuer.test".into(),
        audience: "lawos".into(),
        keys: KeySource::Static(signer.jwk_set()),
    }]);
    let source = SignedServiceTokens::new(signer, "https://issuer.test", "lawos", "tenants", &[]);
    let principal = validator
        .validate(&source.token().await.unwrap())
        .await
        .unwrap();
    assert!(principal.is_service());
    assert_eq!(principal.subject, "lawos-tenants");
    assert!(principal.user_id.is_none());
    assert!(principal.firm_id.is_none());
}
