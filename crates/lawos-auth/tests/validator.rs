//! TokenValidator against a real JWKS endpoint: what is accepted, what is
//! rejected and with which code, and how often the JWKS is fetched.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lawos_auth::{Claims, KeySource, SessionRevocation, TokenError, TokenValidator, TrustedIssuer};
use lawos_core::{ApiError, ErrorCode};
use serde_json::json;
use support::{AUDIENCE, ISSUER, JwksServer, TestKey, b64, claims, now};

fn remote(server: &JwksServer, interval: Duration) -> TokenValidator {
    TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Remote(server.uri.clone()),
        ))
        .min_refetch_interval(interval)
        .build()
}

fn code(err: TokenError) -> ErrorCode {
    let api: ApiError = err.into();
    api.code
}

#[actix_web::test]
async fn accepts_es256_es384_and_rs256_tokens_from_their_keys() {
    let (es256, es384, rs256) = (
        TestKey::es256("ec256"),
        TestKey::es384("ec384"),
        TestKey::rs256("rsa"),
    );
    let server = JwksServer::start(&[&es256, &es384, &rs256]);
    let v = remote(&server, Duration::from_secs(30));
    let firm = lawos_core::FirmId::new();
    for key in [&es256, &es384, &rs256] {
        let c = claims()
            .with_firm(firm)
            .with_scopes(["matters:read"])
            .with_roles(["LAWYER"]);
        let token = key.sign(&c);
        let p = v
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", key.alg));
        assert_eq!(p.subject, c.sub);
        assert_eq!(p.user_id.map(|u| u.to_string()), Some(c.sub.clone()));
        assert_eq!(p.firm_id, Some(firm));
        assert!(p.has_scope("matters:read"));
        assert_eq!(p.token, token);
    }
    assert_eq!(server.hits(), 1, "keys are cached after the first fetch");
}

#[actix_web::test]
async fn rejects_alg_none() {
    let key = TestKey::es256("k1");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_secs(30));
    let header = b64(json!({"alg": "none", "typ": "JWT", "kid": "k1"}).to_string());
    let payload = b64(serde_json::to_vec(&claims()).unwrap());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        let err = v.validate(&token).await.unwrap_err();
        assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    }
    let err = v
        .validate(&format!("{header}.{payload}."))
        .await
        .unwrap_err();
    assert_eq!(err, TokenError::UnsupportedAlgorithm("none".into()));
}

#[actix_web::test]
async fn rejects_hs256_signed_with_the_public_key() {
    for key in [TestKey::es256("k1"), TestKey::rs256("k1")] {
        let server = JwksServer::start(&[&key]);
        let v = remote(&server, Duration::from_secs(30));
        // The classic key-confusion attack: HMAC keyed with the public key,
        // as raw bytes and as the JWK text the verifier holds.
        let secrets = [key.public_bytes(), key.jwk.to_string().into_bytes()];
        for secret in secrets {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("k1".into());
            let token =
                jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(&secret))
                    .unwrap();
            let err = v.validate(&token).await.unwrap_err();
            assert_eq!(err, TokenError::UnsupportedAlgorithm("HS256".into()));
            assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
        }
    }
}

#[actix_web::test]
async fn rejects_a_header_alg_that_disagrees_with_the_key() {
    let (p256, p384) = (TestKey::es256("p256"), TestKey::es384("p384"));
    let server = JwksServer::start(&[&p256, &p384]);
    let v = remote(&server, Duration::from_secs(30));
    // ES384-signed, but naming the P-256 key.
    let err = v
        .validate(&p384.sign_as("p256", &claims()))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TokenError::AlgorithmMismatch {
            header: "ES384".into(),
            key: "ES256".into()
        }
    );
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
}

#[actix_web::test]
async fn unknown_kid_is_refetched_at_most_once_per_window() {
    let key = TestKey::es256("k1");
    let stranger = TestKey::es256("k-unknown");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_millis(600));
    let token = stranger.sign(&claims());

    let err = v.validate(&token).await.unwrap_err();
    assert_eq!(err, TokenError::UnknownKey("k-unknown".into()));
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    assert_eq!(server.hits(), 1);
    for _ in 0..5 {
        assert!(v.validate(&token).await.is_err());
    }
    // Concurrent misses inside the window do not fetch either.
    let results = futures_util::future::join_all((0..10).map(|_| v.validate(&token))).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(server.hits(), 1, "no refetch inside the window");
    assert!(v.validate(&key.sign(&claims())).await.is_ok());
    assert_eq!(server.hits(), 1);

    tokio::time::sleep(Duration::from_millis(700)).await;
    let results = futures_util::future::join_all((0..10).map(|_| v.validate(&token))).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(
        server.hits(),
        2,
        "one refetch once the window has passed, even for concurrent misses"
    );
    assert!(v.validate(&token).await.is_err());
    assert_eq!(server.hits(), 2);
}

#[actix_web::test]
async fn a_rotated_in_key_is_picked_up_on_first_use_and_a_removed_one_dropped() {
    let (old, new) = (TestKey::es256("2024-01"), TestKey::es256("2024-02"));
    let server = JwksServer::start(&[&old]);
    let v = remote(&server, Duration::from_millis(200));
    assert!(v.validate(&old.sign(&claims())).await.is_ok());
    assert_eq!(server.hits(), 1);

    tokio::time::sleep(Duration::from_millis(250)).await;
    server.add(&new);
    let p = v.validate(&new.sign(&claims())).await;
    assert!(p.is_ok(), "{p:?}");
    assert_eq!(server.hits(), 2);
    assert!(
        v.validate(&old.sign(&claims())).await.is_ok(),
        "old key still published"
    );
    assert!(v.validate(&new.sign(&claims())).await.is_ok());
    assert_eq!(server.hits(), 2);

    // Retire the old key: the next refetch replaces the cached set.
    tokio::time::sleep(Duration::from_millis(250)).await;
    server.remove("2024-01");
    let probe = TestKey::es256("probe").sign(&claims());
    assert!(v.validate(&probe).await.is_err());
    assert_eq!(server.hits(), 3);
    let err = v.validate(&old.sign(&claims())).await.unwrap_err();
    assert_eq!(err, TokenError::UnknownKey("2024-01".into()));
}

#[actix_web::test]
async fn expiry_and_not_before_are_checked_with_30s_leeway() {
    let key = TestKey::es256("k1");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_secs(30));

    let mut c = claims();
    c.iat = now() - 1000;
    c.exp = now() - 120;
    let err = v.validate(&key.sign(&c)).await.unwrap_err();
    assert_eq!(err, TokenError::Expired);
    assert_eq!(code(err), ErrorCode::AuthTokenExpired);

    c.exp = now() - 10; // inside the leeway
    assert!(v.validate(&key.sign(&c)).await.is_ok());

    let mut c = claims();
    c.nbf = Some(now() + 120);
    let err = v.validate(&key.sign(&c)).await.unwrap_err();
    assert_eq!(err, TokenError::NotYetValid);
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    c.nbf = Some(now() + 10);
    assert!(v.validate(&key.sign(&c)).await.is_ok());
}

#[actix_web::test]
async fn rejects_a_wrong_audience() {
    let key = TestKey::es256("k1");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_secs(30));
    let mut c = claims();
    c.aud = "another-api".into();
    let err = v.validate(&key.sign(&c)).await.unwrap_err();
    assert_eq!(err, TokenError::WrongAudience);
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    c.aud = lawos_auth::Audience::Many(vec!["x".into(), AUDIENCE.into()]);
    assert!(
        v.validate(&key.sign(&c)).await.is_ok(),
        "an aud array naming us is fine"
    );
}

#[actix_web::test]
async fn rejects_a_wrong_issuer_and_keeps_each_issuer_to_its_own_keys() {
    let (ours, theirs) = (TestKey::es256("k1"), TestKey::es256("logto-1"));
    let server = JwksServer::start(&[&ours]);
    let logto = "https://tenant.logto.app/oidc";
    let v = TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Remote(server.uri.clone()),
        ))
        .issuer(TrustedIssuer::new(
            logto,
            "https://api.lawos.test",
            KeySource::Static(lawos_auth::JwkSet {
                keys: vec![theirs.jwk()],
            }),
        ))
        .build();

    let mut c = claims();
    c.iss = "https://evil.example".into();
    let err = v.validate(&ours.sign(&c)).await.unwrap_err();
    assert_eq!(
        err,
        TokenError::UntrustedIssuer("https://evil.example".into())
    );
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);

    // A Logto token is checked against Logto's keys and audience.
    let mut c = Claims::new(
        logto,
        "u_abc",
        "https://api.lawos.test",
        Duration::from_secs(60),
    );
    c.organization_id = Some("org-1".into());
    let p = v.validate(&theirs.sign(&c)).await.unwrap();
    assert_eq!(
        (p.organization_id.as_deref(), p.user_id),
        (Some("org-1"), None)
    );
    // Our key cannot sign for Logto, even under Logto's kid.
    let err = v.validate(&ours.sign(&c)).await.unwrap_err();
    assert_eq!(err, TokenError::UnknownKey("k1".into()));
    let err = v.validate(&ours.sign_as("logto-1", &c)).await.unwrap_err();
    assert_eq!(err, TokenError::BadSignature);
    // Nor is Logto's audience valid for our issuer.
    let mut c = claims();
    c.aud = "https://api.lawos.test".into();
    assert_eq!(
        v.validate(&ours.sign(&c)).await.unwrap_err(),
        TokenError::WrongAudience
    );
}

#[actix_web::test]
async fn rejects_a_tampered_payload() {
    let key = TestKey::es256("k1");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_secs(30));
    let c = claims().with_scopes(["matters:read"]);
    let token = key.sign(&c);
    let mut forged = c.clone();
    forged.scope = "matters:read firms:create".into();
    forged.roles = vec!["SYSTEM_ADMIN".into()];
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(serde_json::to_vec(&forged).unwrap()),
        parts[2]
    );
    let err = v.validate(&tampered).await.unwrap_err();
    assert_eq!(err, TokenError::BadSignature);
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    assert!(v.validate(&token).await.is_ok());
}

#[actix_web::test]
async fn rejects_malformed_tokens_and_claims() {
    let key = TestKey::es256("k1");
    let server = JwksServer::start(&[&key]);
    let v = remote(&server, Duration::from_secs(30));
    for junk in ["", "abc", "a.b", "a.b.c.d", "!!.??.##"] {
        let err = v.validate(junk).await.unwrap_err();
        assert_eq!(code(err), ErrorCode::AuthTokenInvalid, "{junk:?}");
    }
    // firm_id that is not a uuid: signed, but not a valid LawOS token.
    let mut raw = serde_json::to_value(claims()).unwrap();
    raw["firm_id"] = json!("not-a-uuid");
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(&header, &raw, &key.encoding).unwrap();
    assert_eq!(
        code(v.validate(&token).await.unwrap_err()),
        ErrorCode::AuthTokenInvalid
    );
    // Missing sub.
    raw = serde_json::to_value(claims()).unwrap();
    raw.as_object_mut().unwrap().remove("sub");
    let token = jsonwebtoken::encode(&header, &raw, &key.encoding).unwrap();
    assert_eq!(
        code(v.validate(&token).await.unwrap_err()),
        ErrorCode::AuthTokenInvalid
    );
    // Missing exp.
    raw = serde_json::to_value(claims()).unwrap();
    raw.as_object_mut().unwrap().remove("exp");
    let token = jsonwebtoken::encode(&header, &raw, &key.encoding).unwrap();
    assert_eq!(
        code(v.validate(&token).await.unwrap_err()),
        ErrorCode::AuthTokenInvalid
    );
}

#[actix_web::test]
async fn an_unreachable_jwks_is_503_not_401() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let v = TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Remote(format!("http://127.0.0.1:{port}/jwks")),
        ))
        .build();
    let token = TestKey::es256("k1").sign(&claims());
    for _ in 0..2 {
        let err = v.validate(&token).await.unwrap_err();
        assert!(matches!(err, TokenError::KeysUnavailable(_)), "{err:?}");
        assert_eq!(code(err), ErrorCode::ServiceUnavailable);
    }
}

struct Revoked;

#[async_trait::async_trait]
impl SessionRevocation for Revoked {
    async fn is_revoked(&self, sid: &str) -> Result<bool, String> {
        match sid {
            "unknowable-session" => Err("store down".to_owned()),
            sid => Ok(sid == "revoked-session"),
        }
    }
}

#[actix_web::test]
async fn static_keys_and_the_revocation_hook() {
    let signer = lawos_auth::Es256Signer::generate().unwrap();
    let v = TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Static(signer.jwk_set()),
        ))
        .revocation(Arc::new(Revoked))
        .build();
    let ok = signer.sign(&claims().with_session("live-session")).unwrap();
    let p = v.validate(&ok).await.unwrap();
    assert_eq!(p.session_id.as_deref(), Some("live-session"));
    let revoked = signer
        .sign(&claims().with_session("revoked-session"))
        .unwrap();
    let err = v.validate(&revoked).await.unwrap_err();
    assert_eq!(err, TokenError::Revoked);
    assert_eq!(code(err), ErrorCode::AuthTokenInvalid);
    // The check cannot be made: a user token passes (it ends at exp), an
    // act-as token of a support session is refused with 503.
    let unknowable = claims().with_session("unknowable-session");
    let user = signer.sign(&unknowable).unwrap();
    assert!(v.validate(&user).await.is_ok());
    let acting = signer
        .sign(&unknowable.with_actor("support-admin"))
        .unwrap();
    let err = v.validate(&acting).await.unwrap_err();
    assert!(
        matches!(err, TokenError::RevocationUnavailable(_)),
        "{err:?}"
    );
    assert_eq!(code(err), ErrorCode::ServiceUnavailable);
    // A static set is never refetched: an unknown kid simply fails.
    let other = TestKey::es256("other").sign(&claims());
    assert_eq!(
        v.validate(&other).await.unwrap_err(),
        TokenError::UnknownKey("other".into())
    );
}

#[actix_web::test]
async fn a_revocation_check_can_be_added_to_a_built_validator() {
    let signer = lawos_auth::Es256Signer::generate().unwrap();
    let plain = TokenValidator::new(vec![TrustedIssuer::new(
        ISSUER,
        AUDIENCE,
        KeySource::Static(signer.jwk_set()),
    )]);
    assert!(!plain.has_revocation());
    let revoked = signer
        .sign(&claims().with_session("revoked-session"))
        .unwrap();
    assert!(plain.validate(&revoked).await.is_ok());
    let checked = plain.clone().with_revocation(Arc::new(Revoked));
    assert!(checked.has_revocation());
    assert_eq!(
        checked.validate(&revoked).await.unwrap_err(),
        TokenError::Revoked
    );
    // The original is unchanged; tokens without sid are never checked.
    assert!(plain.validate(&revoked).await.is_ok());
    assert!(
        checked
            .validate(&signer.sign(&claims()).unwrap())
            .await
            .is_ok()
    );
}

/// A revocation check whose answer the test changes.
struct Switch(std::sync::atomic::AtomicBool);

#[async_trait::async_trait]
impl SessionRevocation for Switch {
    async fn is_revoked(&self, _sid: &str) -> Result<bool, String> {
        Ok(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[actix_web::test]
async fn a_token_is_checked_once_then_remembered_until_exp_with_revocation_every_time() {
    let signer = lawos_auth::Es256Signer::generate().unwrap();
    let switch = Arc::new(Switch(std::sync::atomic::AtomicBool::new(false)));
    let v = TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Static(signer.jwk_set()),
        ))
        .leeway(Duration::ZERO)
        .revocation(switch.clone())
        .build();
    let token = signer.sign(&claims().with_session("s1")).unwrap();
    assert_eq!(v.cached_tokens(), 0);
    for _ in 0..3 {
        assert!(v.validate(&token).await.is_ok());
    }
    assert_eq!(v.cached_tokens(), 1, "one entry per token");
    // Revoked sessions are refused even though the token is remembered.
    switch.0.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(v.validate(&token).await.unwrap_err(), TokenError::Revoked);
    switch.0.store(false, std::sync::atomic::Ordering::SeqCst);
    // A token failing its check is never remembered.
    let mut tampered = token.clone();
    tampered.pop();
    assert!(v.validate(&tampered).await.is_err());
    assert_eq!(v.cached_tokens(), 1);
    // Past exp a remembered token is checked again, and fails.
    let mut short = claims();
    short.exp = now() + 1;
    let short = signer.sign(&short).unwrap();
    assert!(v.validate(&short).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(v.validate(&short).await.unwrap_err(), TokenError::Expired);
    // Without a cache every request is a full check.
    let uncached = TokenValidator::builder()
        .issuer(TrustedIssuer::new(
            ISSUER,
            AUDIENCE,
            KeySource::Static(signer.jwk_set()),
        ))
        .token_cache(0)
        .build();
    assert!(uncached.validate(&token).await.is_ok());
    assert_eq!(uncached.cached_tokens(), 0);
}
