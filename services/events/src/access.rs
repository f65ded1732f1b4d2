//! Who may read the audit log. Firm members need `audit:read` (`audit:verify`
//! to recompute the chain) and see only their own firm (RLS); a system
//! administrator reads any firm it names with `X-Firm-Id` and is the only
//! reader of platform events (the nil firm). An entity's history is also open
//! to service principals acting for a firm (`X-Firm-Id`): the owning service
//! answers `GET /api/v1/{service}/{id}/events` after its own access check.

use actix_web::{FromRequest, HttpRequest};
use lawos_auth::Principal;
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::TenantCtx;
use lawos_tenancy::Tenant;
use lawos_tenancy::extract::X_FIRM_ID;

use crate::model::PLATFORM_FIRM;

pub const AUDIT_READ: &str = "audit:read";
pub const AUDIT_VERIFY: &str = "audit:verify";

fn firm_denied() -> ApiError {
    ApiError::new(
        ErrorCode::FirmAccessDenied,
        "You cannot access this firm's data",
    )
}

/// The tenant transaction for reading the tenant's log with `scope`.
pub fn reader(tenant: &Tenant, scope: &str) -> Result<TenantCtx, ApiError> {
    tenant.principal.require_scope(scope)?;
    if tenant.firm_id.0 == PLATFORM_FIRM && !tenant.principal.is_system_admin() {
        return Err(firm_denied());
    }
    Ok(tenant.ctx())
}

/// The tenant transaction for an entity's history: a service principal for the
/// firm in `X-Firm-Id`, anyone else as [`reader`] with `audit:read`.
pub async fn entity_reader(
    req: &HttpRequest,
    principal: &Principal,
) -> Result<TenantCtx, ApiError> {
    if principal.is_service() {
        let firm: FirmId = req
            .headers()
            .get(X_FIRM_ID)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidFieldFormat,
                    "A service must name the firm in X-Firm-Id",
                )
            })?;
        if firm.0 == PLATFORM_FIRM {
            return Err(firm_denied());
        }
        return Ok(TenantCtx::firm(firm, None));
    }
    let tenant = Tenant::extract(req).await?;
    reader(&tenant, AUDIT_READ)
}
