//! Test keys (ES256, ES384, RS256, generated per run) and a JWKS served by a
//! real local HTTP server that counts its requests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lawos_auth::{Claims, Es256Signer, Jwk};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://auth.lawos.test";
pub const AUDIENCE: &str = "lawos-api";

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A signing key of any supported kind and its public JWK.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

impl TestKey {
    pub fn es256(kid: &str) -> Self {
        let signer = Es256Signer::generate_with_kid(kid).unwrap();
        let pem = signer.to_pkcs8_pem().unwrap();
        Self {
            kid: kid.into(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            jwk: serde_json::to_value(signer.jwk()).unwrap(),
        }
    }

    pub fn es384(kid: &str) -> Self {
        use p384::elliptic_curve::sec1::ToEncodedPoint;
        use p384::pkcs8::EncodePrivateKey;
        let secret = p384::SecretKey::random(&mut rsa::rand_core::OsRng);
        let der = secret.to_pkcs8_der().unwrap();
        let point = secret.public_key().to_encoded_point(false);
        Self {
            kid: kid.into(),
            alg: Algorithm::ES384,
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: json!({
                "kty": "EC", "crv": "P-384", "kid": kid, "use": "sig",
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
            }),
        }
    }

    /// RS256 with a 2048-bit key, generated once per test binary (slow in debug).
    pub fn rs256(kid: &str) -> Self {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
        let key =
            KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap());
        let der = key.to_pkcs1_der().unwrap();
        Self {
            kid: kid.into(),
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk: json!({
                "kty": "RSA", "kid": kid, "alg": "RS256",
                "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be()),
            }),
        }
    }

    pub fn jwk(&self) -> Jwk {
        serde_json::from_value(self.jwk.clone()).unwrap()
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// Signs with this key's material but announces `kid` in the header.
    pub fn sign_as(&self, kid: &str, claims: &Claims) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// The raw public key bytes (the EC point / RSA modulus) of the JWK.
    pub fn public_bytes(&self) -> Vec<u8> {
        let d = |f: &str| {
            URL_SAFE_NO_PAD
                .decode(self.jwk[f].as_str().unwrap())
                .unwrap()
        };
        if self.jwk["kty"] == "EC" {
            [vec![4u8], d("x"), d("y")].concat()
        } else {
            d("n")
        }
    }
}

/// Valid claims for ISSUER / AUDIENCE, 15 minutes.
pub fn claims() -> Claims {
    Claims::new(
        ISSUER,
        lawos_core::UserId::new().to_string(),
        AUDIENCE,
        Duration::from_secs(900),
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A JWKS endpoint on 127.0.0.1:<ephemeral>, its keys editable, its hits counted.
pub struct JwksServer {
    pub uri: String,
    keys: Arc<Mutex<Vec<Value>>>,
    hits: Arc<AtomicUsize>,
}

impl JwksServer {
    /// Must be called inside an actix runtime (`#[actix_web::test]`).
    pub fn start(keys: &[&TestKey]) -> Self {
        let keys = Arc::new(Mutex::new(
            keys.iter().map(|k| k.jwk.clone()).collect::<Vec<Value>>(),
        ));
        let hits = Arc::new(AtomicUsize::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (k, h) = (keys.clone(), hits.clone());
        let server = HttpServer::new(move || {
            let (k, h) = (k.clone(), h.clone());
            App::new().route(
                "/.well-known/jwks.json",
                web::get().to(move || {
                    let (k, h) = (k.clone(), h.clone());
                    async move {
                        h.fetch_add(1, Ordering::SeqCst);
                        let keys = k.lock().unwrap().clone();
                        HttpResponse::Ok().json(json!({ "keys": keys }))
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Self {
            uri: format!("http://127.0.0.1:{port}/.well-known/jwks.json"),
            keys,
            hits,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn add(&self, key: &TestKey) {
        self.keys.lock().unwrap().push(key.jwk.clone());
    }

    pub fn remove(&self, kid: &str) {
        self.keys.lock().unwrap().retain(|k| k["kid"] != kid);
    }
}
