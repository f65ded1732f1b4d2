//! The Authenticate middleware and Principal extractor in an actix app.

#![allow(clippy::unwrap_used)]

mod support;

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{App, HttpResponse, test, web};
use lawos_auth::{Authenticate, KeySource, Principal, RequireScope, TokenValidator, TrustedIssuer};
use lawos_core::ApiError;
use serde_json::{Value, json};
use support::{AUDIENCE, ISSUER, TestKey, claims, now};

async fn me(principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "subject": principal.subject,
        "firmId": principal.firm_id,
        "scopes": principal.scopes.iter().collect::<Vec<_>>(),
        "service": principal.is_service(),
    }))
}

async fn create_firm(principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require_scope("firms:create")?;
    Ok(HttpResponse::Created().finish())
}

async fn maybe(principal: Option<Principal>) -> HttpResponse {
    HttpResponse::Ok().body(principal.map_or("anonymous".to_owned(), |p| p.subject))
}

macro_rules! app {
    ($key:expr) => {{
        let validator = TokenValidator::builder()
            .issuer(TrustedIssuer::new(
                ISSUER,
                AUDIENCE,
                KeySource::Static(lawos_auth::JwkSet {
                    keys: vec![$key.jwk()],
                }),
            ))
            .build();
        test::init_service(
            App::new()
                .wrap(Authenticate::new(validator))
                .route(
                    "/livez",
                    web::get().to(|| async { HttpResponse::Ok().body("ok") }),
                )
                .route("/me", web::get().to(me))
                .route("/firms", web::post().to(create_firm))
                .route("/maybe", web::get().to(maybe))
                .route("/webhooks/signed", web::post().to(maybe))
                .service(
                    web::scope("/admin")
                        .wrap(RequireScope::new("admin:read"))
                        .route("", web::get().to(|| async { HttpResponse::Ok().finish() })),
                ),
        )
        .await
    }};
}

fn bearer(token: &str) -> (actix_web::http::header::HeaderName, String) {
    (AUTHORIZATION, format!("Bearer {token}"))
}

async fn error_of<B: actix_web::body::MessageBody>(
    resp: actix_web::dev::ServiceResponse<B>,
) -> (StatusCode, Value) {
    let status = resp.status();
    let body: Value = test::read_body_json(resp).await;
    let error = body["error"].clone();
    assert_eq!(
        error.as_object().map(|o| o.len()),
        Some(5),
        "envelope: {body}"
    );
    for field in ["message", "timestamp", "requestId"] {
        assert!(error[field].is_string(), "{field} in {body}");
    }
    (status, error)
}

#[actix_web::test]
async fn missing_token_on_a_protected_handler_is_401_auth_token_missing() {
    let key = TestKey::es256("k1");
    let app = app!(key);
    let resp = test::call_service(&app, test::TestRequest::get().uri("/me").to_request()).await;
    let (status, error) = error_of(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["code"], "AUTH_TOKEN_MISSING");

    // Public routes and optional callers pass through without a token.
    let resp = test::call_service(&app, test::TestRequest::get().uri("/livez").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let req = test::TestRequest::get().uri("/maybe").to_request();
    assert_eq!(test::call_and_read_body(&app, req).await, "anonymous");

    let req = test::TestRequest::get().uri("/admin").to_request();
    let (status, error) = error_of(test::call_service(&app, req).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("AUTH_TOKEN_MISSING"))
    );
}

#[actix_web::test]
async fn bad_tokens_are_401_auth_token_invalid_or_expired() {
    let key = TestKey::es256("k1");
    let app = app!(key);
    let foreign = TestKey::es256("k1").sign(&claims()); // same kid, other key
    let mut expired = claims();
    expired.exp = now() - 300;
    let cases = [
        (format!("Bearer {foreign}"), "AUTH_TOKEN_INVALID"),
        ("Bearer not.a.jwt".to_owned(), "AUTH_TOKEN_INVALID"),
        ("Bearer ".to_owned(), "AUTH_TOKEN_INVALID"),
        ("Basic dXNlcjpwYXNz".to_owned(), "AUTH_TOKEN_INVALID"),
        (
            format!("Bearer {}", key.sign(&expired)),
            "AUTH_TOKEN_EXPIRED",
        ),
    ];
    for (header, expected) in cases {
        // Even a public route refuses a bad credential rather than ignoring it.
        for uri in ["/me", "/livez"] {
            let req = test::TestRequest::get()
                .uri(uri)
                .insert_header((AUTHORIZATION, header.clone()))
                .to_request();
            let (status, error) = error_of(test::call_service(&app, req).await).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{header}");
            assert_eq!(error["code"], expected, "{header} on {uri}");
        }
    }
}

#[actix_web::test]
async fn webhooks_check_their_own_non_bearer_authorization() {
    let key = TestKey::es256("k1");
    let app = app!(key);
    // A sender's signature (a bare JWT) reaches the webhook, which checks it.
    let req = test::TestRequest::post()
        .uri("/webhooks/signed")
        .insert_header((AUTHORIZATION, "eyJhbGciOiJIUzI1NiJ9.e30.sig"))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, req).await, "anonymous");
    // A bearer token there is still a platform token, checked as one.
    let req = test::TestRequest::post()
        .uri("/webhooks/signed")
        .insert_header(bearer("not.a.jwt"))
        .to_request();
    let (status, error) = error_of(test::call_service(&app, req).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("AUTH_TOKEN_INVALID"))
    );
    // Elsewhere a non-bearer credential is refused.
    let req = test::TestRequest::get()
        .uri("/maybe")
        .insert_header((AUTHORIZATION, "eyJhbGciOiJIUzI1NiJ9.e30.sig"))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn a_valid_token_reaches_the_handler_with_its_principal() {
    let key = TestKey::es256("k1");
    let app = app!(key);
    let firm = lawos_core::FirmId::new();
    let c = claims()
        .with_firm(firm)
        .with_scopes(["matters:read", "admin:read"]);
    let token = key.sign(&c);
    let req = test::TestRequest::get()
        .uri("/me")
        .insert_header(bearer(&token))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["subject"], c.sub);
    assert_eq!(body["firmId"], firm.to_string());
    assert_eq!(body["scopes"], json!(["admin:read", "matters:read"]));
    assert_eq!(body["service"], false);

    let req = test::TestRequest::get()
        .uri("/maybe")
        .insert_header(bearer(&token))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, req).await, c.sub.as_bytes());
    let req = test::TestRequest::get()
        .uri("/admin")
        .insert_header(bearer(&token))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), StatusCode::OK);
    // The scheme is case-insensitive.
    let req = test::TestRequest::get()
        .uri("/me")
        .insert_header((AUTHORIZATION, format!("bearer {token}")))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_missing_scope_is_403_permission_denied() {
    let key = TestKey::es256("k1");
    let app = app!(key);
    let token = key.sign(&claims().with_scopes(["matters:read"]));
    let req = test::TestRequest::post()
        .uri("/firms")
        .insert_header(bearer(&token))
        .to_request();
    let (status, error) = error_of(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error["code"], "PERMISSION_DENIED");
    assert!(error["message"].as_str().unwrap().contains("firms:create"));
    assert_eq!(error["details"]["requiredScopes"], json!(["firms:create"]));

    let req = test::TestRequest::get()
        .uri("/admin")
        .insert_header(bearer(&token))
        .to_request();
    let (status, error) = error_of(test::call_service(&app, req).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PERMISSION_DENIED"))
    );

    let token = key.sign(&claims().with_scopes(["firms:create"]));
    let req = test::TestRequest::post()
        .uri("/firms")
        .insert_header(bearer(&token))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::CREATED
    );
}
