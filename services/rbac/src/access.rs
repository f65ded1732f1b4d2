//! Who may administer access control, and who may read capabilities.
//!
//! Platform administrators hold the `access-grants:*` scopes in their token and
//! reach every firm (the firm comes from `X-Firm-Id`). A firm's FIRM_ADMIN
//! administers that firm only. Anyone else is refused with 403 on a visible
//! firm. Every query runs in the resolved firm's tenant transaction, so another
//! firm's roles, grants and policies are simply not there: 404.

use lawos_auth::Principal;
use lawos_auth::scopes::roles::FIRM_ADMIN;
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::TenantCtx;
use lawos_tenancy::Tenant;
use uuid::Uuid;

pub const GRANTS_CREATE: &str = "access-grants:create";
pub const GRANTS_READ: &str = "access-grants:read";
pub const GRANTS_REVOKE: &str = "access-grants:revoke";

/// What an administrative call does.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Read roles, assignments, grants, policies.
    Read,
    /// Create or change them.
    Create,
    /// Revoke, end or delete them.
    Revoke,
}

impl Need {
    pub fn scope(self) -> &'static str {
        match self {
            Self::Read => GRANTS_READ,
            Self::Create => GRANTS_CREATE,
            Self::Revoke => GRANTS_REVOKE,
        }
    }
}

fn refused(need: Need) -> ApiError {
    ApiError::permission_denied(format!(
        "Administering access control requires the {} scope or the FIRM_ADMIN role",
        need.scope()
    ))
    .with_details(serde_json::json!({ "requiredScopes": [need.scope()], "roles": [FIRM_ADMIN] }))
}

/// The one service that administers access control: the auth service assigns
/// the role of a user it provisions, and revokes it when provisioning is rolled back.
pub const PROVISIONER_CLIENT: &str = "lawos-auth";

fn provisioner(principal: &Principal) -> bool {
    principal.is_service() && principal.client_id.as_deref() == Some(PROVISIONER_CLIENT)
}

/// The tenant transaction for an administrative call on the resolved firm: a
/// platform administrator, the firm's FIRM_ADMIN, or the auth service's token
/// naming the firm in `X-Firm-Id` ([`PROVISIONER_CLIENT`]; other services are refused).
pub fn admin(tenant: &Tenant, need: Need) -> Result<TenantCtx, ApiError> {
    let principal = &tenant.principal;
    if provisioner(principal)
        || principal.has_scope(need.scope())
        || principal.is_firm_admin_of(tenant.firm_id)
    {
        Ok(tenant.ctx())
    } else {
        Err(refused(need))
    }
}

/// Reading the platform catalogue (permissions, built-in roles, resource
/// types): administrators of the platform or of a firm.
pub fn catalogue(principal: &Principal) -> Result<(), ApiError> {
    if principal.has_scope(GRANTS_READ) || principal.has_role(FIRM_ADMIN) {
        Ok(())
    } else {
        Err(refused(Need::Read))
    }
}

/// Reading a user's capabilities or field policies: a platform service (every
/// service's `lawos-authz` asks for the users it decides for), a platform
/// administrator, the firm's administrator, or the user themself. Another firm: 404.
pub fn capabilities(principal: &Principal, firm: Uuid, user: Uuid) -> Result<TenantCtx, ApiError> {
    let firm = FirmId(firm);
    let ctx = TenantCtx {
        act_as: principal.act_as.clone(),
        ..TenantCtx::firm(firm, principal.user_id)
    };
    if principal.is_service() || principal.has_scope(GRANTS_READ) {
        return Ok(ctx);
    }
    if principal.firm_id != Some(firm) {
        return Err(ApiError::not_found("Firm", firm));
    }
    if principal.has_role(FIRM_ADMIN) || principal.user_id == Some(UserId(user)) {
        Ok(ctx)
    } else {
        Err(ApiError::permission_denied(
            "Only the user, the firm's administrator or a platform administrator may read these capabilities",
        ))
    }
}
