//! OpenID Connect at the token endpoint, for standard clients:
//!
//! - the scopes `openid`, `offline_access`, `profile` and `email` are
//!   accepted beside the platform's API scopes (anything else is still
//!   `invalid_scope`). They do not narrow the API scopes: a request naming only
//!   them gets the role's API scopes, as one without `scope` does; API scopes
//!   named beside them narrow as before;
//! - `openid` adds an ID token (ES256, `aud` = the client id, `auth_time`,
//!   `sid`; `email` with the `email` scope, `name` with `profile`), on the
//!   first token response and on each refresh;
//! - `offline_access` governs the refresh token of an OpenID request: with
//!   `openid` and without `offline_access` the answer has no refresh token
//!   (the session lives as long as its access token, OIDC Core §11). A plain
//!   OAuth request (no `scope`, or API scopes only) keeps getting one.

use chrono::{DateTime, Utc};
use lawos_auth::{Claims, Es256Signer};
use lawos_core::ApiError;
use serde_json::json;

use crate::model::User;
use crate::state::AuthState;

pub const OPENID: &str = "openid";
pub const OFFLINE_ACCESS: &str = "offline_access";
/// The OpenID Connect scopes the token endpoint understands.
pub const OIDC_SCOPES: [&str; 4] = [OPENID, OFFLINE_ACCESS, "profile", "email"];

pub fn is_oidc(scope: &str) -> bool {
    OIDC_SCOPES.contains(&scope)
}

/// The scopes granted for `requested` (space-separated) out of the role's
/// `allowed` API scopes, OpenID scopes last; `None` when a requested scope is
/// neither (`invalid_scope`). See the module note.
pub fn grant(requested: Option<&str>, allowed: &[String]) -> Option<Vec<String>> {
    let words: Vec<&str> = requested
        .map(|r| r.split_whitespace().collect())
        .unwrap_or_default();
    let (oidc, api): (Vec<&str>, Vec<&str>) = words.into_iter().partition(|w| is_oidc(w));
    let mut granted = if api.is_empty() {
        allowed.to_vec()
    } else {
        crate::roles::narrow(Some(&api.join(" ")), allowed)?
    };
    for scope in oidc {
        if !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_owned());
        }
    }
    Some(granted)
}

/// Whether a session granted `scopes` gets a refresh token.
pub fn offline(scopes: &[String]) -> bool {
    let has = |s: &str| scopes.iter().any(|g| g == s);
    !has(OPENID) || has(OFFLINE_ACCESS)
}

/// Whether `scopes` ask for an ID token.
pub fn wants_id_token(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == OPENID)
}

/// An ID token for `user` to `client_id` in session `sid`, signed now.
/// `client_id` must not be the API audience (an ID token must never pass as
/// an access token): the caller refuses such a request first.
pub fn id_token(
    state: &AuthState,
    signer: &Es256Signer,
    user: &User,
    client_id: &str,
    sid: &str,
    auth_time: DateTime<Utc>,
    scopes: &[String],
) -> Result<String, ApiError> {
    let has = |s: &str| scopes.iter().any(|g| g == s);
    let mut claims = Claims::new(
        state.issuer.clone(),
        user.id.to_string(),
        client_id,
        state.config.access_ttl,
    )
    .with_session(sid);
    claims.jti = None;
    claims
        .extra
        .insert("auth_time".into(), json!(auth_time.timestamp()));
    if has("email") {
        claims.extra.insert("email".into(), json!(user.email));
    }
    if has("profile") {
        claims.extra.insert("name".into(), json!(user.full_name));
    }
    signer.sign(&claims).map_err(ApiError::internal)
}

/// Refuses an OpenID request whose client id is the API audience.
pub fn check_client(
    state: &AuthState,
    client_id: &str,
    scopes: &[String],
) -> Result<(), crate::oauth::OAuthError> {
    if wants_id_token(scopes) && client_id == state.audience {
        return Err(crate::oauth::OAuthError::invalid_request(
            "client_id must name the client, not the API audience, for an ID token",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn openid_scopes_come_beside_the_api_scopes() {
        let allowed = s(&["a:b", "c:d"]);
        assert_eq!(grant(None, &allowed), Some(allowed.clone()));
        assert_eq!(
            grant(Some("openid offline_access"), &allowed),
            Some(s(&["a:b", "c:d", "openid", "offline_access"]))
        );
        assert_eq!(
            grant(Some("openid c:d openid"), &allowed),
            Some(s(&["c:d", "openid"]))
        );
        assert_eq!(grant(Some("openid x:y"), &allowed), None);
        assert_eq!(grant(Some("openid phone"), &allowed), None);
        assert_eq!(grant(Some("openid"), &[]), Some(s(&["openid"])));
    }

    #[test]
    fn offline_access_governs_the_refresh_token_of_openid_requests() {
        assert!(offline(&s(&["a:b"])));
        assert!(offline(&s(&[])));
        assert!(offline(&s(&["openid", "offline_access"])));
        assert!(offline(&s(&["offline_access"])));
        assert!(!offline(&s(&["openid"])));
    }
}
