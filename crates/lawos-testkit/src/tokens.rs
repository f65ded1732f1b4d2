//! Tokens for test principals, signed by an ES256 key generated per test.

use lawos_auth::{Claims, Es256Signer, KeySource, TokenValidator, TrustedIssuer};
use lawos_core::{FirmId, UserId};

pub const ISSUER: &str = "https://auth.lawos.test";
pub const AUDIENCE: &str = "lawos";

/// Who a test token speaks for.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub user_id: UserId,
    pub firm_id: Option<FirmId>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
}

impl TestUser {
    /// A platform administrator with every admin scope.
    pub fn system_admin() -> Self {
        Self {
            user_id: UserId::new(),
            firm_id: None,
            roles: vec!["SYSTEM_ADMIN".into()],
            scopes: [
                "firms:create",
                "firms:read",
                "firms:update",
                "users:create",
                "users:read",
                "users:update",
                "users:delete",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    /// A member of `firm` with `role` and no admin scopes.
    pub fn member(firm: FirmId, role: &str) -> Self {
        Self {
            user_id: UserId::new(),
            firm_id: Some(firm),
            roles: vec![role.to_owned()],
            scopes: vec![],
        }
    }

    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes.extend(scopes.iter().map(|s| (*s).to_owned()));
        self
    }
}

/// The test's token issuer: its signing key and a validator trusting it.
#[derive(Clone)]
pub struct TestIssuer {
    pub signer: Es256Signer,
}

impl Default for TestIssuer {
    fn default() -> Self {
        Self::new()
    }
}

impl TestIssuer {
    pub fn new() -> Self {
        Self {
            signer: Es256Signer::generate().unwrap_or_else(|e| panic!("test key: {e}")),
        }
    }

    /// The issuer as the runtime knows one living in the process.
    pub fn local(&self) -> lawos_http::runtime::LocalIssuer {
        lawos_http::runtime::LocalIssuer {
            signer: self.signer.clone(),
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
        }
    }

    pub fn validator(&self) -> TokenValidator {
        TokenValidator::new(vec![TrustedIssuer {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            keys: KeySource::Static(self.signer.jwk_set()),
        }])
    }

    pub fn claims(&self, user: &TestUser) -> Claims {
        let mut claims = Claims::new(
            ISSUER,
            user.user_id.to_string(),
            AUDIENCE,
            std::time::Duration::from_secs(900),
        )
        .with_scopes(user.scopes.iter().map(String::as_str))
        .with_roles(user.roles.iter().map(String::as_str));
        if let Some(firm) = user.firm_id {
            claims = claims.with_firm(firm);
        }
        claims
    }

    pub fn token(&self, user: &TestUser) -> String {
        self.signer
            .sign(&self.claims(user))
            .unwrap_or_else(|e| panic!("sign: {e}"))
    }
}
