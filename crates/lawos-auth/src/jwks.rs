//! Turning JWKs into verification keys. The algorithm comes from the key,
//! never from a token header; symmetric (`oct`) keys are never used.

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};

/// Where an issuer's signing keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A `jwks_uri`, fetched over HTTP and cached by `kid`.
    Remote(String),
    /// A fixed key set (tests, the dev server, pinned keys).
    Static(JwkSet),
}

/// A key ready to verify with, and the one algorithm it verifies.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pub kid: Option<String>,
    pub alg: Algorithm,
    pub key: DecodingKey,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish()
    }
}

/// The algorithm a JWK verifies: EC P-256 → ES256, P-384 → ES384,
/// RSA → RS256 (or the RS*/PS* its `alg` names), Ed25519 → EdDSA.
/// A declared `alg` that disagrees with the key type makes the key unusable.
pub(crate) fn key_algorithm(jwk: &Jwk) -> Result<Algorithm, String> {
    let declared = jwk.common.key_algorithm;
    let alg = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            ref other => return Err(format!("unsupported curve {other:?}")),
        },
        AlgorithmParameters::RSA(_) => match declared {
            None | Some(KeyAlgorithm::RS256) => Algorithm::RS256,
            Some(KeyAlgorithm::RS384) => Algorithm::RS384,
            Some(KeyAlgorithm::RS512) => Algorithm::RS512,
            Some(KeyAlgorithm::PS256) => Algorithm::PS256,
            Some(KeyAlgorithm::PS384) => Algorithm::PS384,
            Some(KeyAlgorithm::PS512) => Algorithm::PS512,
            Some(other) => return Err(format!("RSA key declares alg {other}")),
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::OctetKeyPair(p) => {
            return Err(format!("unsupported curve {:?}", p.curve));
        }
        AlgorithmParameters::OctetKey(_) => return Err("symmetric keys are not accepted".into()),
    };
    if let Some(declared) = declared
        && declared.to_string() != format!("{alg:?}")
    {
        return Err(format!("key declares alg {declared} but is a {alg:?} key"));
    }
    Ok(alg)
}

/// A verification key from a JWK, or why it cannot be one.
pub(crate) fn verifying_key(jwk: &Jwk) -> Result<VerifyingKey, String> {
    if let Some(usage) = &jwk.common.public_key_use
        && *usage != PublicKeyUse::Signature
    {
        return Err("key is not a signing key".into());
    }
    let alg = key_algorithm(jwk)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    Ok(VerifyingKey {
        kid: jwk.common.key_id.clone(),
        alg,
        key,
    })
}

/// The usable keys of a JWKS document. Each key is parsed on its own, so one
/// unknown or unusable key does not hide the others.
pub(crate) fn parse_jwks(document: &serde_json::Value) -> Result<Vec<VerifyingKey>, String> {
    let keys = document
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .ok_or("the document has no \"keys\" array")?;
    Ok(keys
        .iter()
        .filter_map(|value| {
            let parsed = serde_json::from_value::<Jwk>(value.clone())
                .map_err(|e| e.to_string())
                .and_then(|jwk| verifying_key(&jwk));
            match parsed {
                Ok(key) => Some(key),
                Err(reason) => {
                    let kid = value.get("kid").and_then(serde_json::Value::as_str);
                    tracing::warn!(?kid, %reason, "skipping an unusable JWK");
                    None
                }
            }
        })
        .collect())
}

pub(crate) fn keys_of_set(set: &JwkSet) -> Vec<VerifyingKey> {
    match serde_json::to_value(set) {
        Ok(doc) => parse_jwks(&doc).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The key for `kid`; a token without `kid` may use the only key of a one-key set.
pub(crate) fn find_key<'a>(
    keys: &'a [VerifyingKey],
    kid: Option<&str>,
) -> Option<&'a VerifyingKey> {
    match kid {
        Some(kid) => keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
        None => match keys {
            [only] => Some(only),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ec(crv: &str, alg: Option<&str>) -> Jwk {
        let mut v = json!({"kty": "EC", "crv": crv, "x": "AA", "y": "AA", "kid": "k"});
        if let Some(alg) = alg {
            v["alg"] = json!(alg);
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn algorithm_comes_from_the_key() {
        assert_eq!(key_algorithm(&ec("P-256", None)), Ok(Algorithm::ES256));
        assert_eq!(
            key_algorithm(&ec("P-384", Some("ES384"))),
            Ok(Algorithm::ES384)
        );
        assert!(key_algorithm(&ec("P-256", Some("ES384"))).is_err());
        assert!(key_algorithm(&ec("P-256", Some("HS256"))).is_err());
        let rsa: Jwk =
            serde_json::from_value(json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})).unwrap();
        assert_eq!(key_algorithm(&rsa), Ok(Algorithm::RS256));
        let rsa_ps: Jwk =
            serde_json::from_value(json!({"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "PS256"}))
                .unwrap();
        assert_eq!(key_algorithm(&rsa_ps), Ok(Algorithm::PS256));
        let oct: Jwk = serde_json::from_value(json!({"kty": "oct", "k": "c2VjcmV0"})).unwrap();
        assert!(key_algorithm(&oct).is_err());
    }

    #[test]
    fn skips_bad_keys_and_encryption_keys() {
        let doc = json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "sym"},
            {"kty": "weird", "kid": "w"},
            {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "enc", "use": "enc"},
            {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "good", "use": "sig"}
        ]});
        let keys = parse_jwks(&doc).unwrap();
        assert_eq!(keys.len(), 1);
        assert!(find_key(&keys, Some("good")).is_some());
        assert!(find_key(&keys, None).is_some());
        assert!(find_key(&keys, Some("sym")).is_none());
        assert!(parse_jwks(&json!({"nokeys": 1})).is_err());
    }
}
