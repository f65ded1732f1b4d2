//! Support sessions (Admin API): `POST/GET /api/v1/auth/support-access/sessions`,
//! `GET/DELETE …/{sessionId}`.
//!
//! Starting needs `support-access:create` (system administrators) and a user
//! caller who is not already acting as someone; listing and reading need
//! `support-access:read`, or the FIRM_ADMIN of the target firm, who sees the
//! sessions held on the firm's users only (another firm's: 404); revoking
//! needs `support-access:revoke`.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;
use uuid::Uuid;

use crate::access::{FIRM_ADMIN, caller_id};
use crate::input::support::StartSession;
use crate::state::AuthState;
use crate::storage::support;
use crate::support::locks::Locks;
use crate::support::model::SessionView;
use crate::support::{SCOPE_CREATE, SCOPE_READ, SCOPE_REVOKE, sessions};

const LIST_LIMIT: i64 = 200;

/// The administrator behind the call, holding `scope` as themself.
fn admin(principal: &Principal, scope: &str) -> Result<UserId, ApiError> {
    match caller_id(principal) {
        Some(id) if principal.has_scope(scope) && !principal.is_impersonated() => Ok(id),
        _ => Err(ApiError::permission_denied(format!(
            "Support access requires the {scope} scope (system administrators, not acting as anyone)"
        ))
        .with_details(json!({ "requiredScopes": [scope] }))),
    }
}

/// Who may read sessions: platform readers everywhere, a FIRM_ADMIN in their firm.
fn reader(principal: &Principal) -> Result<TenantCtx, ApiError> {
    if let Ok(id) = admin(principal, SCOPE_READ) {
        return Ok(TenantCtx::platform(Some(id)));
    }
    match principal.firm_id {
        Some(firm) if principal.has_role(FIRM_ADMIN) && !principal.is_impersonated() => {
            Ok(TenantCtx::firm(FirmId(firm.0), principal.user_id))
        }
        _ => Err(ApiError::permission_denied(format!(
            "Reading support sessions requires the {SCOPE_READ} scope or the FIRM_ADMIN role"
        ))
        .with_details(json!({ "requiredScopes": [SCOPE_READ], "roles": [FIRM_ADMIN] }))),
    }
}

#[tracing::instrument(skip_all)]
pub async fn start(
    state: web::Data<AuthState>,
    principal: Principal,
    body: web::Json<StartSession>,
) -> Result<HttpResponse, ApiError> {
    let admin = admin(&principal, SCOPE_CREATE)?;
    let valid = body.validate().map_err(|e| e.into_api_error())?;
    state.ensure_ready().await?;
    let started = sessions::start(&state, admin, valid).await?;
    let id = started.session.id;
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!("/api/v1/auth/support-access/sessions/{id}"),
        ))
        .json(json!({
            "session": SessionView::from(started.session),
            "accessToken": started.access_token,
            "tokenType": "Bearer",
            "expiresIn": started.expires_in,
            "scope": started.scopes.join(" "),
        })))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AuthState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let ctx = reader(&principal)?;
    let rows = with_tenant(&state.db, &ctx, |conn| {
        support::list(conn, LIST_LIMIT).scope_boxed()
    })
    .await?;
    let data: Vec<SessionView> = rows.into_iter().map(SessionView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}

#[tracing::instrument(skip_all, fields(session_id = %path))]
pub async fn get(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = reader(&principal)?;
    let id = path.into_inner();
    let row = with_tenant(&state.db, &ctx, |conn| {
        support::find(conn, id, false).scope_boxed()
    })
    .await?
    .ok_or_else(|| ApiError::not_found("SupportSession", id))?;
    Ok(HttpResponse::Ok().json(SessionView::from(row)))
}

#[tracing::instrument(skip_all, fields(session_id = %path))]
pub async fn revoke(
    state: web::Data<AuthState>,
    locks: web::Data<Locks>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let admin = admin(&principal, SCOPE_REVOKE)?;
    let ctx = TenantCtx::platform(Some(admin));
    let view = sessions::revoke(&state, locks.cache(), &ctx, path.into_inner(), admin).await?;
    Ok(HttpResponse::Ok().json(view))
}
