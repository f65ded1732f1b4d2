//! lawos-auth: access-token validation for every LawOS service.
//!
//! - [`TokenValidator`] checks bearer tokens against trusted issuers' JWKS
//!   (remote, cached by `kid`, refetched rate-limited; or static), taking the
//!   algorithm from the key, never from the token header.
//! - [`Authenticate`] is the actix middleware putting a [`Principal`] in the
//!   request; handlers extract `Principal` (401 `AUTH_TOKEN_MISSING` if none)
//!   and call `principal.require_scope("firms:create")?`.
//! - [`Es256Signer`] mints ES256 tokens (the platform issuer, tests, dev server).

pub mod claims;
pub mod error;
pub mod jwks;
pub mod middleware;
pub mod principal;
pub mod scopes;
pub mod service_token;
pub mod signer;
pub mod token_cache;
pub mod validator;

pub use claims::{Actor, Audience, Claims};
pub use error::TokenError;
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use jwks::KeySource;
pub use middleware::{Authenticate, RequireScope, bearer_token};
pub use principal::Principal;
pub use scopes::{ScopeSet, roles};
pub use service_token::{ClientCredentials, ServiceTokenSource, SignedServiceTokens};
pub use signer::{Es256Signer, SignerError};
pub use validator::{SessionRevocation, TokenValidator, TokenValidatorBuilder, TrustedIssuer};
