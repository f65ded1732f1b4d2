//! ES256 token signing: the platform issuer's key, and the key tests, the test
//! kit and the dev server mint tokens with.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand::TryRngCore;

use crate::claims::Claims;

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("no randomness available: {0}")]
    Random(String),
    #[error("invalid P-256 private key: {0}")]
    InvalidKey(String),
    #[error("signing failed: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

/// A P-256 signing key with its key id.
#[derive(Clone)]
pub struct Es256Signer {
    kid: String,
    secret: p256::SecretKey,
    encoding: EncodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for Es256Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Es256Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Es256Signer {
    /// A fresh random key with a random (uuid) key id.
    pub fn generate() -> Result<Self, SignerError> {
        Self::generate_with_kid(uuid::Uuid::now_v7().to_string())
    }

    /// A fresh random key with the given key id.
    pub fn generate_with_kid(kid: impl Into<String>) -> Result<Self, SignerError> {
        let mut bytes = [0u8; 32];
        // A random 256-bit string is a valid scalar but with probability ~2^-32.
        for _ in 0..8 {
            rand::rngs::OsRng
                .try_fill_bytes(&mut bytes)
                .map_err(|e| SignerError::Random(e.to_string()))?;
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
                return Self::from_secret(kid.into(), secret);
            }
        }
        Err(SignerError::Random("no valid scalar drawn".into()))
    }

    /// Loads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(kid: impl Into<String>, pem: &str) -> Result<Self, SignerError> {
        let secret = p256::SecretKey::from_pkcs8_pem(pem)
            .map_err(|e| SignerError::InvalidKey(e.to_string()))?;
        Self::from_secret(kid.into(), secret)
    }

    /// The private key as PKCS#8 PEM, for storing it.
    pub fn to_pkcs8_pem(&self) -> Result<String, SignerError> {
        self.secret
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| SignerError::InvalidKey(e.to_string()))
    }

    fn from_secret(kid: String, secret: p256::SecretKey) -> Result<Self, SignerError> {
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| SignerError::InvalidKey(e.to_string()))?;
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let point = secret.public_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(SignerError::InvalidKey(
                "public key has no coordinates".into(),
            ));
        };
        let jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::ES256),
                key_id: Some(kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                key_type: EllipticCurveKeyType::EC,
                curve: EllipticCurve::P256,
                x: URL_SAFE_NO_PAD.encode(x),
                y: URL_SAFE_NO_PAD.encode(y),
            }),
        };
        Ok(Self {
            kid,
            secret,
            encoding,
            jwk,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact JWS of `claims`, header `{"alg":"ES256","typ":"JWT","kid":…}`.
    pub fn sign(&self, claims: &Claims) -> Result<String, SignerError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// The public key as a JWK (`kty` EC, `crv` P-256, `alg` ES256, `use` sig).
    pub fn jwk(&self) -> Jwk {
        self.jwk.clone()
    }

    /// A JWKS holding only this key.
    pub fn jwk_set(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn signs_verifiably_and_round_trips_through_pem() {
        let signer = Es256Signer::generate_with_kid("k1").unwrap();
        let token = signer
            .sign(&Claims::new("i", "s", "a", Duration::from_secs(60)))
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(
            (header.alg, header.kid.as_deref()),
            (Algorithm::ES256, Some("k1"))
        );
        let key = jsonwebtoken::DecodingKey::from_jwk(&signer.jwk()).unwrap();
        let mut v = jsonwebtoken::Validation::new(Algorithm::ES256);
        v.set_audience(&["a"]);
        assert!(jsonwebtoken::decode::<Claims>(&token, &key, &v).is_ok());

        let reloaded = Es256Signer::from_pkcs8_pem("k1", &signer.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(reloaded.jwk(), signer.jwk());
        assert_ne!(Es256Signer::generate().unwrap().jwk(), signer.jwk());
        let set = serde_json::to_value(signer.jwk_set()).unwrap();
        assert_eq!(set["keys"][0]["crv"], "P-256");
        assert_eq!(set["keys"][0]["kid"], "k1");
    }
}
