//! Admin locks (Admin API): `POST/GET /api/v1/auth/support-access/locks`,
//! `DELETE …/{lockId}`. System administrators (`support-access:create`);
//! a lock is released by its owner only (else 403) or by its TTL.

use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::ApiError;
use serde_json::json;
use uuid::Uuid;

use crate::access::caller_id;
use crate::input::support::AcquireLock;
use crate::support::SCOPE_CREATE;
use crate::support::locks::Locks;

fn locker(principal: &Principal) -> Result<lawos_core::UserId, ApiError> {
    match caller_id(principal) {
        Some(id) if principal.has_scope(SCOPE_CREATE) && !principal.is_impersonated() => Ok(id),
        _ => Err(ApiError::permission_denied(format!(
            "Admin locks require the {SCOPE_CREATE} scope (system administrators)"
        ))
        .with_details(json!({ "requiredScopes": [SCOPE_CREATE] }))),
    }
}

#[tracing::instrument(skip_all)]
pub async fn acquire(
    locks: web::Data<Locks>,
    principal: Principal,
    body: web::Json<AcquireLock>,
) -> Result<HttpResponse, ApiError> {
    let owner = locker(&principal)?;
    let valid = body.validate().map_err(|e| e.into_api_error())?;
    let held = locks.acquire(owner, valid).await?;
    tracing::info!(lock_id = %held.id, resource_type = %held.resource_type,
        resource_id = %held.resource_id, owner = %owner, "admin lock acquired");
    Ok(HttpResponse::Created().json(held))
}

#[tracing::instrument(skip_all)]
pub async fn list(locks: web::Data<Locks>, principal: Principal) -> Result<HttpResponse, ApiError> {
    locker(&principal)?;
    let held = locks.list().await?;
    Ok(HttpResponse::Ok().json(json!({ "data": held })))
}

#[tracing::instrument(skip_all, fields(lock_id = %path))]
pub async fn release(
    locks: web::Data<Locks>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let caller = locker(&principal)?;
    let id = path.into_inner();
    let held = locks
        .find(id)
        .await?
        .ok_or_else(|| ApiError::not_found("Lock", id))?;
    if held.owner_user_id != caller.0 {
        return Err(ApiError::permission_denied(
            "Only the administrator who took the lock can release it",
        )
        .with_details(json!({ "ownerUserId": held.owner_user_id })));
    }
    locks.release(&held).await?;
    tracing::info!(lock_id = %id, "admin lock released");
    Ok(HttpResponse::NoContent().finish())
}
