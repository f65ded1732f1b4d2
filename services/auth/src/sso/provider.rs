//! The configured identity providers: discovery (fetched once, then cached;
//! the JWKS refetched, at most every 30 s, when a token names an unknown key),
//! the authorization URL, redeeming a code, and verifying ID tokens.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet,
    CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse, reqwest,
};
use url::Url;

use super::config::ProviderConfig;
use super::error::{self, SsoError};

/// The shortest interval between two JWKS fetches of one provider.
const JWKS_REFETCH: Duration = Duration::from_secs(30);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Every configured provider, by name. Cheap to clone.
#[derive(Clone, Default)]
pub struct Registry {
    providers: Arc<HashMap<String, Arc<Provider>>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.providers.keys().collect();
        names.sort();
        f.debug_struct("Registry")
            .field("providers", &names)
            .finish()
    }
}

impl Registry {
    pub fn new(configs: Vec<ProviderConfig>) -> Result<Self, String> {
        // No redirects: discovery, keys and tokens come from the issuer's own URLs.
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        let providers = configs
            .into_iter()
            .map(|config| {
                let provider = Provider {
                    config,
                    http: http.clone(),
                    discovered: tokio::sync::Mutex::new(None),
                };
                (provider.config.name.clone(), Arc::new(provider))
            })
            .collect();
        Ok(Self {
            providers: Arc::new(providers),
        })
    }

    /// The provider called `name`; 404 for any other name.
    pub fn get(&self, name: &str) -> Result<Arc<Provider>, SsoError> {
        self.providers
            .get(name)
            .cloned()
            .ok_or_else(|| error::unknown_provider(name))
    }

    /// The provider whose issuer is exactly `issuer`.
    pub fn by_issuer(&self, issuer: &str) -> Option<Arc<Provider>> {
        self.providers
            .values()
            .find(|p| p.config.issuer == issuer)
            .cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }
}

/// What a verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

impl ExternalIdentity {
    fn from_claims(claims: &CoreIdTokenClaims) -> Self {
        Self {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
            email_verified: claims.email_verified() == Some(true),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().trim().to_owned())
                .filter(|n| !n.is_empty()),
        }
    }
}

/// The start of a login: where to send the browser, and what the callback needs.
pub struct Authorization {
    pub url: Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Which kind of token an RFC 8693 exchange presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    IdToken,
    /// A JWT (`…:jwt` or an access token in JWT form), of any JOSE `typ`.
    Jwt,
}

struct Discovered {
    metadata: CoreProviderMetadata,
    keys_fetched: Instant,
}

pub struct Provider {
    pub config: ProviderConfig,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Arc<Discovered>>>,
}

impl Provider {
    /// The discovery document (with its keys), fetched on first use and kept.
    async fn discovered(&self) -> Result<Arc<Discovered>, SsoError> {
        let mut slot = self.discovered.lock().await;
        if let Some(found) = slot.as_ref() {
            return Ok(found.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| error::unavailable(format!("issuer URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| error::unavailable(format!("discovery of {}: {e}", self.config.name)))?;
        let found = Arc::new(Discovered {
            metadata,
            keys_fetched: Instant::now(),
        });
        *slot = Some(found.clone());
        tracing::info!(provider = %self.config.name, "identity provider discovered");
        Ok(found)
    }

    /// Refetches the provider's keys unless that happened within the last 30 s;
    /// true when new keys were fetched.
    async fn refresh_keys(&self) -> Result<bool, SsoError> {
        let current = self.discovered().await?;
        if current.keys_fetched.elapsed() < JWKS_REFETCH {
            return Ok(false);
        }
        let mut slot = self.discovered.lock().await;
        if slot
            .as_ref()
            .is_some_and(|d| d.keys_fetched.elapsed() < JWKS_REFETCH)
        {
            return Ok(true);
        }
        let keys = CoreJsonWebKeySet::fetch_async(current.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| error::unavailable(format!("keys of {}: {e}", self.config.name)))?;
        let metadata = current.metadata.clone().set_jwks(keys);
        *slot = Some(Arc::new(Discovered {
            metadata,
            keys_fetched: Instant::now(),
        }));
        Ok(true)
    }

    fn client(
        &self,
        discovered: &Discovered,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoError,
    > {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(lawos_core::ApiError::internal)?;
        Ok(CoreClient::from_provider_metadata(
            discovered.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL for a new login (code flow, PKCE S256,
    /// fresh state and nonce).
    pub async fn authorize(&self) -> Result<Authorization, SsoError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Redeems `code` (with the PKCE verifier) and verifies the ID token:
    /// signature by the provider's keys, issuer, audience, expiry, `nonce`,
    /// and `at_hash` when present.
    pub async fn redeem(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<ExternalIdentity, SsoError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| error::unavailable(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    error::code_rejected(r.error().as_ref().to_owned())
                }
                other => error::unavailable(format!("token endpoint: {other}")),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| error::id_token_invalid("the provider returned no ID token"))?;
        let nonce = Nonce::new(nonce.to_owned());
        let (claims, discovered) = self
            .verify(id_token, Some(&nonce), Presented::IdToken)
            .await?;
        // at_hash binds the access token to the ID token (OIDC Core §3.1.3.8).
        if let Some(expected) = claims.access_token_hash() {
            let client = self.client(&discovered)?;
            let verifier = client.id_token_verifier();
            let alg = id_token
                .signing_alg()
                .map_err(|e| error::id_token_invalid(e.to_string()))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| error::id_token_invalid(e.to_string()))?;
            let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
                .map_err(|e| error::id_token_invalid(e.to_string()))?;
            if actual != *expected {
                return Err(error::id_token_invalid("at_hash does not match"));
            }
        }
        Ok(ExternalIdentity::from_claims(&claims))
    }

    /// Verifies a token the provider issued to this platform's client (the
    /// subject token of an RFC 8693 exchange): signature, issuer, audience = the
    /// client id, expiry; no nonce.
    pub async fn verify_presented(
        &self,
        token: &str,
        kind: Presented,
    ) -> Result<ExternalIdentity, SsoError> {
        let parsed = CoreIdToken::from_str(token)
            .map_err(|e| error::id_token_invalid(format!("not a JWT: {e}")))?;
        let (claims, _) = self.verify(&parsed, None, kind).await?;
        Ok(ExternalIdentity::from_claims(&claims))
    }

    /// The verified claims, and the discovery (keys) that verified them.
    async fn verify(
        &self,
        token: &CoreIdToken,
        nonce: Option<&Nonce>,
        kind: Presented,
    ) -> Result<(CoreIdTokenClaims, Arc<Discovered>), SsoError> {
        let mut refreshed = false;
        loop {
            let discovered = self.discovered().await?;
            let client = self.client(&discovered)?;
            let mut verifier = client.id_token_verifier();
            if kind == Presented::Jwt {
                verifier = verifier.allow_all_jose_types();
            }
            let verified = match nonce {
                Some(nonce) => token.claims(&verifier, nonce),
                None => token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
            };
            match verified {
                Ok(claims) => return Ok((claims.clone(), discovered)),
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !refreshed => {
                    refreshed = true;
                    if !self.refresh_keys().await? {
                        return Err(error::id_token_invalid(
                            "signed by a key the provider does not publish",
                        ));
                    }
                }
                Err(e) => return Err(error::id_token_invalid(e.to_string())),
            }
        }
    }
}

/// The unverified `iss` of a compact JWS, to pick the provider whose keys then
/// verify it; `None` when it is not a JWT.
pub fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("iss")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_issuer_of_a_jwt_without_trusting_it() {
        use base64::Engine;
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let token = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"RS256"}"#),
            enc(r#"{"iss":"https://idp.example.com","sub":"1"}"#)
        );
        assert_eq!(
            unverified_issuer(&token).as_deref(),
            Some("https://idp.example.com")
        );
        assert_eq!(unverified_issuer("opaque-token"), None);
    }

    #[test]
    fn unknown_providers_are_not_found() {
        let registry = Registry::new(Vec::new()).unwrap();
        assert!(registry.is_empty());
        assert_eq!(
            registry.get("logto").err().unwrap().code.as_str(),
            "RESOURCE_NOT_FOUND"
        );
    }
}
