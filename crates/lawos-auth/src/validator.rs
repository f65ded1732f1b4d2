//! Access-token validation against the trusted issuers' keys.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use crate::claims::Claims;
use crate::error::TokenError;
use crate::jwks::{KeySource, VerifyingKey, find_key, keys_of_set, parse_jwks};
use crate::principal::Principal;
use crate::token_cache::{self, TokenCache};

/// An issuer whose tokens are accepted, the audience they must name and
/// where its keys are.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    pub issuer: String,
    pub audience: String,
    pub keys: KeySource,
}

impl TrustedIssuer {
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, keys: KeySource) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            keys,
        }
    }
}

/// A check that a session (`sid`) has not been revoked, consulted after the
/// signature and claims are valid. `Err` means the check could not be made:
/// the validator then accepts an ordinary user token (it still ends at `exp`)
/// but refuses an act-as token (`act`, support access) with 503, so a revoked
/// support session cannot outlive its revocation while the store is down.
#[async_trait::async_trait]
pub trait SessionRevocation: Send + Sync + 'static {
    async fn is_revoked(&self, session_id: &str) -> Result<bool, String>;
}

/// Allowed clock skew for `exp` / `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// At most one JWKS fetch per issuer per this interval.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);
/// Cached keys older than this are refreshed on next use (kept if that fails).
pub const DEFAULT_MAX_KEY_AGE: Duration = Duration::from_secs(15 * 60);

/// Configures a [`TokenValidator`].
pub struct TokenValidatorBuilder {
    issuers: Vec<TrustedIssuer>,
    leeway: Duration,
    min_refetch_interval: Duration,
    max_key_age: Duration,
    http_timeout: Duration,
    http: Option<reqwest::Client>,
    revocation: Option<Arc<dyn SessionRevocation>>,
    cache_capacity: usize,
}

impl TokenValidatorBuilder {
    /// How many validated tokens to remember until they expire (default
    /// [`token_cache::DEFAULT_CAPACITY`]); 0 checks every signature every time.
    pub fn token_cache(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        self
    }

    pub fn issuer(mut self, issuer: TrustedIssuer) -> Self {
        self.issuers.push(issuer);
        self
    }

    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The least time between two JWKS fetches for one issuer (default 30 s).
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    pub fn max_key_age(mut self, age: Duration) -> Self {
        self.max_key_age = age;
        self
    }

    /// Timeout of a JWKS fetch (default 5 s); ignored with [`Self::http_client`].
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    pub fn revocation(mut self, check: Arc<dyn SessionRevocation>) -> Self {
        self.revocation = Some(check);
        self
    }

    /// The validator. Should the HTTP client fail to build (no TLS backend),
    /// the failure is logged and remote issuers answer 503 until restart.
    pub fn build(self) -> TokenValidator {
        let http = match self.http {
            Some(client) => Ok(client),
            None => reqwest::Client::builder()
                .timeout(self.http_timeout)
                .build()
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot build the JWKS HTTP client");
                    e.to_string()
                }),
        };
        let issuers = self
            .issuers
            .into_iter()
            .map(|t| IssuerState {
                issuer: t.issuer,
                audience: t.audience,
                keys: match t.keys {
                    KeySource::Static(set) => Keys::Static(keys_of_set(&set)),
                    KeySource::Remote(uri) => Keys::Remote(RemoteKeys {
                        uri,
                        cache: RwLock::new(Arc::new(Snapshot::default())),
                        fetch: tokio::sync::Mutex::new(FetchState::default()),
                    }),
                },
            })
            .collect();
        TokenValidator {
            inner: Arc::new(Inner {
                issuers,
                leeway: self.leeway.as_secs(),
                min_refetch_interval: self.min_refetch_interval,
                max_key_age: self.max_key_age,
                http,
                cache: (self.cache_capacity > 0).then(|| TokenCache::new(self.cache_capacity)),
            }),
            revocation: self.revocation,
        }
    }
}

/// Validates bearer tokens: signature against the issuer's keys (the
/// algorithm taken from the key), `iss` among the trusted issuers, `aud`
/// pinned, `exp`/`nbf` with leeway. Cheap to clone.
#[derive(Clone)]
pub struct TokenValidator {
    inner: Arc<Inner>,
    revocation: Option<Arc<dyn SessionRevocation>>,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let issuers: Vec<&str> = self
            .inner
            .issuers
            .iter()
            .map(|i| i.issuer.as_str())
            .collect();
        f.debug_struct("TokenValidator")
            .field("issuers", &issuers)
            .finish_non_exhaustive()
    }
}

struct Inner {
    issuers: Vec<IssuerState>,
    leeway: u64,
    min_refetch_interval: Duration,
    max_key_age: Duration,
    http: Result<reqwest::Client, String>,
    /// Tokens that passed, until they expire (`None`: every check is a full one).
    cache: Option<TokenCache>,
}

struct IssuerState {
    issuer: String,
    audience: String,
    keys: Keys,
}

enum Keys {
    Static(Vec<VerifyingKey>),
    Remote(RemoteKeys),
}

struct RemoteKeys {
    uri: String,
    cache: RwLock<Arc<Snapshot>>,
    /// Held while fetching, so concurrent misses cause one fetch.
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Default)]
struct Snapshot {
    keys: Vec<VerifyingKey>,
    fetched_at: Option<Instant>,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

#[derive(Deserialize)]
struct UnverifiedPayload {
    iss: Option<String>,
}

#[derive(Deserialize)]
struct UnverifiedHeader {
    alg: Option<String>,
}

fn decode_part<T: serde::de::DeserializeOwned>(part: &str, what: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed(format!("{what} is not base64url")))?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(format!("{what} is not JSON")))
}

impl TokenValidator {
    pub fn builder() -> TokenValidatorBuilder {
        TokenValidatorBuilder {
            issuers: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            max_key_age: DEFAULT_MAX_KEY_AGE,
            http_timeout: Duration::from_secs(5),
            http: None,
            revocation: None,
            cache_capacity: token_cache::DEFAULT_CAPACITY,
        }
    }

    /// A validator trusting `issuers` with the default settings.
    pub fn new(issuers: Vec<TrustedIssuer>) -> Self {
        issuers
            .into_iter()
            .fold(Self::builder(), TokenValidatorBuilder::issuer)
            .build()
    }

    /// This validator (same keys and caches) with `check` consulted for every
    /// token carrying a `sid`, replacing any check it had.
    pub fn with_revocation(mut self, check: Arc<dyn SessionRevocation>) -> Self {
        self.revocation = Some(check);
        self
    }

    /// Whether a session revocation check is configured.
    pub fn has_revocation(&self) -> bool {
        self.revocation.is_some()
    }

    /// Validates `token` (without the `Bearer ` prefix) and returns its caller.
    /// A token that passed before is taken from the cache until it expires
    /// ([`crate::token_cache`]); the revocation check runs every time.
    pub async fn validate(&self, token: &str) -> Result<Principal, TokenError> {
        let claims = self.validated(token).await?;
        if let (Some(check), Some(sid)) = (&self.revocation, &claims.sid) {
            match check.is_revoked(sid).await {
                Ok(false) => {}
                Ok(true) => return Err(TokenError::Revoked),
                Err(cause) if claims.act.is_some() => {
                    return Err(TokenError::RevocationUnavailable(cause));
                }
                Err(cause) => {
                    tracing::warn!(%cause, %sid, "revocation check failed; user token accepted");
                }
            }
        }
        Ok(Principal::from_claims(Claims::clone(&claims), token))
    }

    /// The claims of `token`, from the cache or by a full check (then cached).
    async fn validated(&self, token: &str) -> Result<Arc<Claims>, TokenError> {
        let Some(cache) = &self.inner.cache else {
            return self.validate_claims(token).await.map(Arc::new);
        };
        let now = jsonwebtoken::get_current_timestamp();
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let key = token_cache::key_of(token);
        if let Some(claims) = cache.get(&key, now) {
            return Ok(claims);
        }
        let claims = Arc::new(self.validate_claims(token).await?);
        let leeway = i64::try_from(self.inner.leeway).unwrap_or(0);
        cache.insert(key, Arc::clone(&claims), leeway, now);
        Ok(claims)
    }

    /// Tokens currently remembered as valid (0 without a cache).
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// Validates `token` and returns its claims (no revocation check).
    pub async fn validate_claims(&self, token: &str) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not a compact JWS".into()));
        };
        let raw_header: UnverifiedHeader = decode_part(header, "header")?;
        match raw_header.alg.as_deref() {
            None => return Err(TokenError::Malformed("header has no alg".into())),
            Some(alg) if alg.eq_ignore_ascii_case("none") || alg.starts_with("HS") => {
                return Err(TokenError::UnsupportedAlgorithm(alg.to_owned()));
            }
            Some(_) => {}
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| TokenError::from_jwt(&e))?;
        let unverified: UnverifiedPayload = decode_part(payload, "payload")?;
        let iss = unverified
            .iss
            .ok_or_else(|| TokenError::MissingClaim("iss".into()))?;
        let issuer = self
            .inner
            .issuers
            .iter()
            .find(|i| i.issuer == iss)
            .ok_or(TokenError::UntrustedIssuer(iss))?;

        let key = self.key_for(issuer, header.kid.as_deref()).await?;
        if header.alg != key.alg {
            return Err(TokenError::AlgorithmMismatch {
                header: format!("{:?}", header.alg),
                key: format!("{:?}", key.alg),
            });
        }
        let validation = self.validation(key.alg, issuer);
        jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::from_jwt(&e))
    }

    /// Fetches the keys of every remote issuer now (subject to the refetch
    /// rate limit), e.g. at start-up or from a readiness check.
    pub async fn refresh_keys(&self) -> Result<(), TokenError> {
        for issuer in &self.inner.issuers {
            if let Keys::Remote(remote) = &issuer.keys {
                let mut state = remote.fetch.lock().await;
                self.fetch(remote, &mut state).await?;
            }
        }
        Ok(())
    }

    fn validation(&self, alg: Algorithm, issuer: &IssuerState) -> Validation {
        let mut v = Validation::new(alg);
        v.algorithms = vec![alg];
        v.leeway = self.inner.leeway;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_audience(&[issuer.audience.as_str()]);
        v.set_issuer(&[issuer.issuer.as_str()]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v
    }

    async fn key_for(
        &self,
        issuer: &IssuerState,
        kid: Option<&str>,
    ) -> Result<VerifyingKey, TokenError> {
        let unknown = || TokenError::UnknownKey(kid.unwrap_or_default().to_owned());
        let remote = match &issuer.keys {
            Keys::Static(keys) => return find_key(keys, kid).cloned().ok_or_else(unknown),
            Keys::Remote(remote) => remote,
        };
        let snapshot = remote.snapshot();
        if let Some(key) = find_key(&snapshot.keys, kid)
            && self.is_fresh(&snapshot)
        {
            return Ok(key.clone());
        }
        let mut state = remote.fetch.lock().await;
        // Another request may have fetched while this one waited.
        let snapshot = remote.snapshot();
        let cached = find_key(&snapshot.keys, kid).cloned();
        if let Some(key) = &cached
            && self.is_fresh(&snapshot)
        {
            return Ok(key.clone());
        }
        if state
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.inner.min_refetch_interval)
        {
            return match (cached, &state.last_error) {
                (Some(key), _) => Ok(key),
                (None, Some(error)) => Err(TokenError::KeysUnavailable(error.clone())),
                (None, None) => Err(unknown()),
            };
        }
        match self.fetch(remote, &mut state).await {
            Ok(()) => find_key(&remote.snapshot().keys, kid)
                .cloned()
                .ok_or_else(unknown),
            Err(error) => cached.ok_or(error),
        }
    }

    fn is_fresh(&self, snapshot: &Snapshot) -> bool {
        snapshot
            .fetched_at
            .is_some_and(|t| t.elapsed() < self.inner.max_key_age)
    }

    async fn fetch(&self, remote: &RemoteKeys, state: &mut FetchState) -> Result<(), TokenError> {
        state.last_attempt = Some(Instant::now());
        let result = async {
            let http = self.inner.http.as_ref().map_err(Clone::clone)?;
            let response = http
                .get(&remote.uri)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| e.to_string())?;
            let document: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
            parse_jwks(&document)
        }
        .await;
        match result {
            Ok(keys) => {
                tracing::info!(uri = %remote.uri, keys = keys.len(), "fetched JWKS");
                state.last_error = None;
                let snapshot = Arc::new(Snapshot {
                    keys,
                    fetched_at: Some(Instant::now()),
                });
                *remote.cache.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(uri = %remote.uri, %error, "JWKS fetch failed");
                state.last_error = Some(error.clone());
                Err(TokenError::KeysUnavailable(error))
            }
        }
    }
}

impl RemoteKeys {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.cache.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
