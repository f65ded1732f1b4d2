//! `POST /oauth/token` (RFC 6749): the `password`, `client_credentials` and
//! `refresh_token` grants, token exchange (RFC 8693) for support access (in
//! `crate::support::exchange`) and for external identity providers' tokens (in
//! `crate::sso::exchange`), and `POST /oauth/revoke` (RFC 7009).
//!
//! Clients authenticate with `client_id` / `client_secret` in the body
//! (`client_secret_post`). Password-grant clients are public first-party apps:
//! `client_id` is optional (default `lawos-web`) and recorded in the token.

use std::collections::HashMap;

use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, HeaderMap, PRAGMA};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_auth::Es256Signer;
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{AsyncPgConnection, TenantCtx, with_tenant};
use uuid::Uuid;

use crate::model::{Profile, RefreshToken, Session, User};
use crate::oauth::{OAuthError, form, required, token_response, token_response_with_id};
use crate::state::AuthState;
use crate::{crypto, oidc, roles, storage};

pub const DEFAULT_CLIENT_ID: &str = "lawos-web";
const REFRESH_PREFIX: &str = "lrt_";

type Result<T> = std::result::Result<T, actix_web::Error>;

#[tracing::instrument(skip_all, fields(grant_type))]
pub async fn token(
    state: web::Data<AuthState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse> {
    let params = form(req.headers(), &body)?;
    let grant = required(&params, "grant_type")?.to_owned();
    // The first signing key and the bootstrap administrator exist before any login.
    state.ensure_ready().await?;
    tracing::Span::current().record("grant_type", grant.as_str());
    match grant.as_str() {
        "password" => password(&state, &params).await,
        "refresh_token" => refresh(&state, &params).await,
        "client_credentials" => client_credentials(&state, req.headers(), &params).await,
        // RFC 8693: an external identity provider's token (by its type or
        // issuer) is swapped for a platform session; any other is support access.
        crate::support::exchange::GRANT_TYPE => {
            if crate::sso::exchange::is_external(&state, &params) {
                crate::sso::exchange::exchange(&state, &params).await
            } else {
                crate::support::exchange::exchange(&state, &params).await
            }
        }
        other => Err(OAuthError::unsupported_grant_type(other).into()),
    }
}

async fn verify(secret: &str, hash: Option<String>) -> Result<bool> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => crypto::verify_secret(&secret, &hash),
        None => {
            crypto::burn_verification(&secret);
            false
        }
    })
    .await
    .map_err(|e| ApiError::internal(e).into())
}

/// The user's profile in the firm the login asks for, or in their only firm.
fn choose_firm(profiles: Vec<Profile>, asked: Option<Uuid>) -> Result<Option<Profile>> {
    match asked {
        Some(firm) => profiles
            .into_iter()
            .find(|p| p.firm_id == firm)
            .map(Some)
            .ok_or_else(|| {
                OAuthError::invalid_grant("the user is not a member of that firm").into()
            }),
        None if profiles.len() > 1 => Err(OAuthError::invalid_request(
            "parameter firm_id is required: the user belongs to several firms",
        )
        .into()),
        None => Ok(profiles.into_iter().next()),
    }
}

/// A fresh refresh token of `session_id`: its text and its row.
fn new_refresh_token(
    state: &AuthState,
    session_id: Uuid,
) -> std::result::Result<(String, RefreshToken), ApiError> {
    let text = crypto::opaque_token(REFRESH_PREFIX).map_err(ApiError::internal)?;
    let now = Utc::now();
    let row = RefreshToken {
        id: Uuid::now_v7(),
        session_id,
        token_hash: crypto::token_hash(&text),
        created_at: now,
        expires_at: now
            + chrono::Duration::from_std(state.config.refresh_ttl).unwrap_or(chrono::Duration::MAX),
        used_at: None,
    };
    Ok((text, row))
}

/// The claims of an access token for `user` in `profile`'s firm within session `sid`.
pub(crate) fn user_claims(
    state: &AuthState,
    user: &User,
    profile: Option<&Profile>,
    client_id: &str,
    sid: Uuid,
    scopes: &[String],
) -> lawos_auth::Claims {
    let roles = roles::roles(
        user.platform_role.as_deref(),
        profile.map(|p| p.role.as_str()),
    );
    let mut claims = state
        .claims(&user.id.to_string())
        .with_client_id(client_id)
        .with_session(sid.to_string())
        .with_scopes(scopes)
        .with_roles(roles);
    if let Some(profile) = profile {
        claims = claims.with_firm(FirmId(profile.firm_id));
    }
    claims
}

/// An access token for `user` in `profile`'s firm within session `sid`.
fn user_access_token(
    state: &AuthState,
    signer: &Es256Signer,
    user: &User,
    profile: Option<&Profile>,
    client_id: &str,
    sid: Uuid,
    scopes: &[String],
) -> std::result::Result<String, ApiError> {
    let claims = user_claims(state, user, profile, client_id, sid, scopes);
    signer.sign(&claims).map_err(ApiError::internal)
}

async fn password(state: &AuthState, params: &HashMap<String, String>) -> Result<HttpResponse> {
    let username = required(params, "username")?.trim().to_lowercase();
    let password = required(params, "password")?.to_owned();
    let client_id = params
        .get("client_id")
        .map_or(DEFAULT_CLIENT_ID, String::as_str)
        .to_owned();
    let asked_firm = params
        .get("firm_id")
        .map(|f| f.parse::<Uuid>())
        .transpose()
        .map_err(|_| OAuthError::invalid_request("parameter firm_id must be a uuid"))?;
    let ctx = TenantCtx::platform(None);
    let login = with_tenant(&state.db, &ctx, |conn| {
        async move { storage::find_local_login(conn, &username).await }.scope_boxed()
    })
    .await?;
    let (user, hash) = match login {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    // An unknown user costs one verification too.
    let verified = verify(&password, hash).await?;
    let user = match user {
        Some(user) if verified && user.can_sign_in() => user,
        _ => return Err(OAuthError::invalid_grant("invalid username or password").into()),
    };
    let signer = state.active_signer().await?;
    let user_id = user.id;
    let profiles = with_tenant(&state.db, &ctx, |conn| {
        storage::active_profiles(conn, user_id).scope_boxed()
    })
    .await?;
    let profile = choose_firm(profiles, asked_firm)?;
    let issued = start_session(
        state,
        &signer,
        &user,
        profile.as_ref(),
        &client_id,
        params.get("scope").map(String::as_str),
    )
    .await?;
    tracing::info!(user_id = %user.id, sid = %issued.session_id, "password login");
    Ok(token_response_with_id(
        &issued.access,
        state.config.access_ttl.as_secs(),
        issued.refresh.as_deref(),
        &issued.scopes,
        issued.id_token.as_deref(),
    ))
}

/// The tokens of a new session: an access token and its first refresh token.
pub(crate) struct Issued {
    pub access: String,
    /// None for an OpenID request without `offline_access` (`crate::oidc`).
    pub refresh: Option<String>,
    /// With the `openid` scope.
    pub id_token: Option<String>,
    pub scopes: Vec<String>,
    pub session_id: Uuid,
}

/// Starts a session of `user` in `profile`'s firm (none: a platform session)
/// for `client_id`, with the role's scopes narrowed to `requested_scope`
/// (OpenID scopes beside them, `crate::oidc`): the session and its refresh
/// token are stored, the access token (and an ID token for `openid`) signed.
/// Every user login (password, SSO, external token exchange) ends here.
pub(crate) async fn start_session(
    state: &AuthState,
    signer: &Es256Signer,
    user: &User,
    profile: Option<&Profile>,
    client_id: &str,
    requested_scope: Option<&str>,
) -> Result<Issued> {
    let roles = roles::roles(
        user.platform_role.as_deref(),
        profile.map(|p| p.role.as_str()),
    );
    let scopes = oidc::grant(requested_scope, &roles::scopes_for(&roles))
        .ok_or_else(OAuthError::invalid_scope)?;
    oidc::check_client(state, client_id, &scopes)?;
    let sid = Uuid::now_v7();
    let (refresh, refresh_row) = new_refresh_token(state, sid)?;
    let offline = oidc::offline(&scopes);
    let now = Utc::now();
    let session = Session {
        id: sid,
        user_id: user.id,
        firm_id: profile.map(|p| p.firm_id),
        client_id: client_id.to_owned(),
        scope: scopes.join(" "),
        created_at: now,
        revoked_at: None,
        revoked_reason: None,
    };
    let access = user_access_token(state, signer, user, profile, client_id, sid, &scopes)?;
    let id_token = oidc::wants_id_token(&scopes)
        .then(|| {
            oidc::id_token(
                state,
                signer,
                user,
                client_id,
                &sid.to_string(),
                now,
                &scopes,
            )
        })
        .transpose()?;
    let firm_ctx = profile.map_or(TenantCtx::platform(None), |p| {
        TenantCtx::firm(FirmId(p.firm_id), Some(UserId(user.id)))
    });
    with_tenant(&state.db, &firm_ctx, |conn| {
        async move {
            storage::insert_session(conn, session).await?;
            if offline {
                storage::insert_refresh_token(conn, refresh_row).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Issued {
        access,
        refresh: offline.then_some(refresh),
        id_token,
        scopes,
        session_id: sid,
    })
}

/// What a refresh attempt came to, decided inside one transaction.
enum Refreshed {
    Issued {
        access: String,
        refresh: String,
        id_token: Option<String>,
        scopes: Vec<String>,
    },
    /// A spent token came back: the session was revoked (and that committed).
    Reused(Uuid),
    Refused(&'static str),
}

async fn rotate(
    conn: &mut AsyncPgConnection,
    state: &AuthState,
    signer: &Es256Signer,
    presented: &str,
    client_id: Option<&str>,
    requested_scope: Option<&str>,
) -> std::result::Result<std::result::Result<Refreshed, OAuthError>, ApiError> {
    let now = Utc::now();
    let Some((token, session)) =
        storage::lock_refresh_token(conn, &crypto::token_hash(presented)).await?
    else {
        return Ok(Ok(Refreshed::Refused("unknown refresh token")));
    };
    if session.revoked_at.is_some() {
        return Ok(Ok(Refreshed::Refused("the session has been revoked")));
    }
    if token.used_at.is_some() {
        storage::revoke_session(conn, session.id, "reuse_detected", now).await?;
        return Ok(Ok(Refreshed::Reused(session.id)));
    }
    if token.expires_at <= now {
        return Ok(Ok(Refreshed::Refused("the refresh token has expired")));
    }
    if client_id.is_some_and(|c| c != session.client_id) {
        return Ok(Ok(Refreshed::Refused(
            "the refresh token was issued to another client",
        )));
    }
    let user = match storage::find_user(conn, session.user_id).await? {
        Some(user) if user.can_sign_in() => user,
        _ => return Ok(Ok(Refreshed::Refused("the user cannot sign in"))),
    };
    let profile = match session.firm_id {
        Some(firm) => match storage::find_profile(conn, firm, user.id, false).await? {
            Some(p) if p.is_active => Some(p),
            _ => return Ok(Ok(Refreshed::Refused("the user left the firm"))),
        },
        None => None,
    };
    // The role is read again, so role changes apply from the next refresh;
    // the scopes never grow beyond what the session was granted.
    let roles = roles::roles(
        user.platform_role.as_deref(),
        profile.as_ref().map(|p| p.role.as_str()),
    );
    let granted: Vec<String> = session
        .scope
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let allowed: Vec<String> = roles::scopes_for(&roles)
        .into_iter()
        .filter(|s| granted.contains(s))
        .chain(granted.iter().filter(|s| oidc::is_oidc(s)).cloned())
        .collect();
    let Some(scopes) = roles::narrow(requested_scope, &allowed) else {
        return Ok(Err(OAuthError::invalid_scope()));
    };
    storage::mark_used(conn, token.id, now).await?;
    let (refresh, row) = new_refresh_token(state, session.id)?;
    storage::insert_refresh_token(conn, row).await?;
    let access = user_access_token(
        state,
        signer,
        &user,
        profile.as_ref(),
        &session.client_id,
        session.id,
        &scopes,
    )?;
    let id_token = oidc::wants_id_token(&scopes)
        .then(|| {
            oidc::id_token(
                state,
                signer,
                &user,
                &session.client_id,
                &session.id.to_string(),
                session.created_at,
                &scopes,
            )
        })
        .transpose()?;
    Ok(Ok(Refreshed::Issued {
        access,
        refresh,
        id_token,
        scopes,
    }))
}

async fn refresh(state: &AuthState, params: &HashMap<String, String>) -> Result<HttpResponse> {
    let presented = required(params, "refresh_token")?.to_owned();
    let client_id = params.get("client_id").cloned();
    let scope = params.get("scope").cloned();
    let signer = state.active_signer().await?;
    let outcome = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move {
            rotate(
                conn,
                state,
                &signer,
                &presented,
                client_id.as_deref(),
                scope.as_deref(),
            )
            .await
        }
        .scope_boxed()
    })
    .await??;
    match outcome {
        Refreshed::Issued {
            access,
            refresh,
            id_token,
            scopes,
        } => Ok(token_response_with_id(
            &access,
            state.config.access_ttl.as_secs(),
            Some(&refresh),
            &scopes,
            id_token.as_deref(),
        )),
        Refreshed::Reused(sid) => {
            tracing::warn!(%sid, "a spent refresh token was presented again; session revoked");
            Err(OAuthError::invalid_grant("the refresh token was already used").into())
        }
        Refreshed::Refused(why) => Err(OAuthError::invalid_grant(why).into()),
    }
}

async fn client_credentials(
    state: &AuthState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<HttpResponse> {
    let (client_id, secret) = client_auth(headers, params)?;
    let lookup = client_id.clone();
    let account = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { storage::find_service_account(conn, &lookup).await }.scope_boxed()
    })
    .await?;
    let verified = verify(&secret, account.as_ref().map(|a| a.secret_hash.clone())).await?;
    let account = match account {
        Some(account) if verified && account.is_active => account,
        _ => return Err(OAuthError::invalid_client().into()),
    };
    let scopes = roles::narrow(params.get("scope").map(String::as_str), &account.scopes)
        .ok_or_else(OAuthError::invalid_scope)?;
    let claims = state
        .claims(&account.client_id)
        .with_client_id(account.client_id.as_str())
        .with_scopes(&scopes);
    let access = state.sign(&claims).await?;
    tracing::info!(client_id = %account.client_id, "client credentials issued");
    // No refresh token for client credentials (RFC 6749 §4.4.3).
    Ok(token_response(
        &access,
        state.config.access_ttl.as_secs(),
        None,
        &scopes,
    ))
}

/// The client's credentials: HTTP Basic (RFC 6749 §2.3.1, id and secret
/// form-urlencoded before base64) or `client_id` / `client_secret` in the body;
/// not both.
pub fn client_auth(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> std::result::Result<(String, String), OAuthError> {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(OAuthError::invalid_client)?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(OAuthError::invalid_client)?;
            let unescape = |s: &str| -> String {
                url::form_urlencoded::parse(format!("v={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Ok::<_, OAuthError>((unescape(id), unescape(secret)))
        })
        .transpose()?;
    match (basic, params.get("client_id"), params.get("client_secret")) {
        (Some(_), _, Some(_)) => Err(OAuthError::invalid_request(
            "use one client authentication method, not two",
        )),
        (Some(creds), _, None) => Ok(creds),
        (None, Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
        _ => Err(OAuthError::invalid_client()),
    }
}

/// `POST /oauth/revoke` (RFC 7009): revokes the refresh token's whole session.
/// Always 200, whether or not the token was known (§2.2).
#[tracing::instrument(skip_all)]
pub async fn revoke(
    state: web::Data<AuthState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse> {
    let params = form(req.headers(), &body)?;
    let presented = required(&params, "token")?.to_owned();
    // `token_type_hint` is only a hint (§2.1): every token is looked up as a
    // refresh token; access tokens are short-lived JWTs and expire by themselves.
    with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move {
            if let Some((_, session)) =
                storage::lock_refresh_token(conn, &crypto::token_hash(&presented)).await?
            {
                storage::revoke_session(conn, session.id, "revoked", Utc::now()).await?;
                tracing::info!(sid = %session.id, "session revoked");
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn client_credentials_come_from_basic_or_the_body() {
        let mut headers = HeaderMap::new();
        let body: HashMap<String, String> = [("client_id", "lawos-a"), ("client_secret", "s1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            client_auth(&headers, &body).unwrap(),
            ("lawos-a".to_owned(), "s1".to_owned())
        );
        // "lawos-b" : "p%3As" (a colon in the secret, form-encoded), base64.
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Basic bGF3b3MtYjpwJTNBcw=="),
        );
        assert_eq!(
            client_auth(&headers, &HashMap::new()).unwrap(),
            ("lawos-b".to_owned(), "p:s".to_owned())
        );
        assert_eq!(
            client_auth(&headers, &body).unwrap_err().error,
            "invalid_request"
        );
        assert_eq!(
            client_auth(&HeaderMap::new(), &HashMap::new())
                .unwrap_err()
                .error,
            "invalid_client"
        );
    }
}
