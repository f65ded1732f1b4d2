//! Sign-in through external OpenID Connect providers (Logto, Azure AD, any
//! OIDC issuer), configured at run time (`config`):
//!
//! - `GET /api/v1/auth/sso/{provider}/login[?firm_id=]` redirects (302) to the
//!   provider's authorization endpoint: authorization code flow with PKCE
//!   (S256), a fresh `state` and `nonce`; state, nonce and the PKCE verifier
//!   are kept in Redis for 10 minutes and taken out once (`pending`).
//! - `GET /api/v1/auth/sso/{provider}/callback?code=&state=` redeems the code,
//!   verifies the ID token (signature with the provider's keys from discovery,
//!   issuer, audience = the client id, expiry, nonce, `at_hash`), upserts the
//!   user mirror by issuer + subject (e-mail, name, `synced_at`) and answers the
//!   platform's tokens (access + refresh, as the password grant) as JSON: this
//!   is an API backend; a front end starts the login in the browser and reads
//!   the JSON from the callback it is redirected to (or proxies the callback).
//!   Tokens are never put in a URL.
//! - `POST /oauth/token` with an external ID token (RFC 8693, `exchange`).
//!
//! Who may sign in (`account`): only people who already have an account here.
//! An identity already linked (issuer + subject) signs in to its account; on
//! first sign-in an identity is linked to the provisioned, not yet linked
//! account with the same e-mail, and only when the provider asserts that
//! e-mail as verified (`email_verified: true`). There is no just-in-time
//! creation: membership of an identity provider's directory does not by itself
//! grant access to a firm's privileged data, a firm administrator provisions
//! each user (with a role) first. A provider bound to a firm (`_FIRM_ID`)
//! signs in only that firm's active members, to that firm; an unbound one
//! signs in to the user's firm (the one asked for with `?firm_id=` when they
//! have several). Deactivated accounts are refused, and a refused sign-in
//! writes nothing. An account linked to one external identity is not linked to
//! another. Errors: `error::SsoError`.

pub mod account;
pub mod config;
pub mod error;
pub mod exchange;
pub mod pending;
pub mod provider;

pub use provider::Registry;
