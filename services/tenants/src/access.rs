//! Who may do what with a firm. Platform administrators hold the `firms:*`
//! scopes and reach every firm; a firm's own members reach only their firm, and
//! only its FIRM_ADMIN may change it. A firm the caller cannot reach is 404.

use lawos_auth::Principal;
use lawos_core::{ApiError, FirmId};
use lawos_db::TenantCtx;
use uuid::Uuid;

pub const FIRMS_CREATE: &str = "firms:create";
pub const FIRMS_READ: &str = "firms:read";
pub const FIRMS_UPDATE: &str = "firms:update";
pub const FIRM_ADMIN: &str = "FIRM_ADMIN";

pub fn not_found(firm_id: Uuid) -> ApiError {
    ApiError::not_found("Firm", firm_id)
}

fn own_firm(principal: &Principal, firm_id: Uuid) -> bool {
    principal.firm_id == Some(FirmId(firm_id))
}

/// The transaction context for reading `firm_id`, or 404.
pub fn read(principal: &Principal, firm_id: Uuid) -> Result<TenantCtx, ApiError> {
    if principal.has_scope(FIRMS_READ) {
        Ok(TenantCtx::platform(principal.user_id))
    } else if own_firm(principal, firm_id) {
        Ok(TenantCtx::firm(FirmId(firm_id), principal.user_id))
    } else {
        Err(not_found(firm_id))
    }
}

/// How far an update may go.
pub enum UpdateReach {
    /// Every field, any firm.
    Platform(TenantCtx),
    /// The firm's own administrator: profile and settings of that firm only.
    FirmAdmin(TenantCtx),
}

/// The context for changing `firm_id`: 404 when the firm is out of reach, 403 when
/// it is visible but the caller may not change it.
pub fn update(principal: &Principal, firm_id: Uuid) -> Result<UpdateReach, ApiError> {
    if principal.has_scope(FIRMS_UPDATE) {
        return Ok(UpdateReach::Platform(TenantCtx::platform(
            principal.user_id,
        )));
    }
    if !own_firm(principal, firm_id) && !principal.has_scope(FIRMS_READ) {
        return Err(not_found(firm_id));
    }
    if own_firm(principal, firm_id) && principal.has_role(FIRM_ADMIN) {
        return Ok(UpdateReach::FirmAdmin(TenantCtx::firm(
            FirmId(firm_id),
            principal.user_id,
        )));
    }
    Err(ApiError::permission_denied(
        "Changing this firm requires the firms:update scope or the FIRM_ADMIN role",
    ))
}

/// Listing: platform administrators see every firm, anyone else only their own.
pub fn list(principal: &Principal) -> Result<TenantCtx, ApiError> {
    if principal.has_scope(FIRMS_READ) {
        Ok(TenantCtx::platform(principal.user_id))
    } else if let Some(firm) = principal.firm_id {
        Ok(TenantCtx::firm(firm, principal.user_id))
    } else {
        Err(ApiError::permission_denied(
            "Listing firms requires the firms:read scope",
        ))
    }
}
