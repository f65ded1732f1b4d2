//! Tokens a service presents when it calls another service.
//!
//! - [`ClientCredentials`]: the real path, an OAuth 2.0 `client_credentials`
//!   grant against the platform issuer's token endpoint, cached until shortly
//!   before it expires.
//! - [`SignedServiceTokens`]: a token signed locally by a key the callee trusts
//!   (the development server and tests, where the signing key is in the process).
//!
//! A service token's subject is the client (`sub == client_id`), so it speaks for
//! no user: see `Principal::is_service`.

use futures_util::future::BoxFuture;
use lawos_core::ApiError;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::{Claims, Es256Signer};

/// Renew a cached token this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// Something that hands out a bearer token for service-to-service calls.
pub trait ServiceTokenSource: Send + Sync {
    fn token(&self) -> BoxFuture<'_, Result<String, ApiError>>;
}

/// `client_credentials` against `token_url`, cached.
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
    http: reqwest::Client,
    cached: Mutex<Option<(String, Instant)>>,
}

impl ClientCredentials {
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: None,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            cached: Mutex::new(None),
        }
    }

    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    async fn fetch(&self) -> Result<(String, Instant), ApiError> {
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: Option<u64>,
        }
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let res = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&form)
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        if !res.status().is_success() {
            return Err(ApiError::unavailable(format!(
                "the token endpoint answered {}",
                res.status()
            )));
        }
        let body: TokenResponse = res.json().await.map_err(ApiError::unavailable)?;
        let lifetime = Duration::from_secs(body.expires_in.unwrap_or(300));
        Ok((body.access_token, Instant::now() + lifetime))
    }
}

impl ServiceTokenSource for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<String, ApiError>> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            if let Some((token, expires)) = cached.as_ref()
                && Instant::now() + RENEW_BEFORE < *expires
            {
                return Ok(token.clone());
            }
            let fresh = self.fetch().await?;
            let token = fresh.0.clone();
            *cached = Some(fresh);
            Ok(token)
        })
    }
}

/// Tokens for `service`, signed in process by a key the callee trusts.
#[derive(Clone)]
pub struct SignedServiceTokens {
    signer: Es256Signer,
    issuer: String,
    audience: String,
    client_id: String,
    scopes: Arc<Vec<String>>,
}

impl SignedServiceTokens {
    pub fn new(
        signer: Es256Signer,
        issuer: &str,
        audience: &str,
        service: &str,
        scopes: &[&str],
    ) -> Self {
        Self {
            signer,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            client_id: format!("lawos-{service}"),
            scopes: Arc::new(scopes.iter().map(|s| (*s).to_owned()).collect()),
        }
    }
}

impl ServiceTokenSource for SignedServiceTokens {
    fn token(&self) -> BoxFuture<'_, Result<String, ApiError>> {
        Box::pin(async move {
            let claims = Claims::new(
                &self.issuer,
                &self.client_id,
                self.audience.as_str(),
                Duration::from_secs(300),
            )
            .with_client_id(&self.client_id)
            .with_scopes(self.scopes.iter());
            self.signer.sign(&claims).map_err(ApiError::internal)
        })
    }
}
