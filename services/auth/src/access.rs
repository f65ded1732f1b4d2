//! Who may see and manage users.
//!
//! - Firm members (User API): any internal member of the firm named by the token
//!   (not its CLIENT or PARTNER_ATTORNEY portal users: 403); the firm is always
//!   the token's, so another firm's member is simply not there (404).
//! - Users (Admin API): platform administrators hold the `users:*` scopes and reach
//!   every user; a firm's FIRM_ADMIN reaches the users with a profile in that firm
//!   only (row-level security hides the other firms' profiles; a user without a
//!   profile in the admin's firm answers 404). Anyone else: 403.
//! - A firm's users (list, provisioning): `users:*` scopes, or that firm's
//!   FIRM_ADMIN; another firm answers 404.

use lawos_auth::Principal;
use lawos_core::{ApiError, FirmId, UserId};
use lawos_db::TenantCtx;
use uuid::Uuid;

pub const USERS_CREATE: &str = "users:create";
pub const USERS_READ: &str = "users:read";
pub const USERS_UPDATE: &str = "users:update";
pub const USERS_DELETE: &str = "users:delete";
pub const FIRM_ADMIN: &str = "FIRM_ADMIN";
/// Portal users of a firm: they do not see the firm's directory.
const EXTERNAL_ROLES: [&str; 2] = ["CLIENT", "PARTNER_ATTORNEY"];

pub fn user_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("User", id)
}

fn firm_ctx(principal: &Principal, firm: FirmId) -> TenantCtx {
    TenantCtx {
        act_as: principal.act_as.clone(),
        ..TenantCtx::firm(firm, principal.user_id)
    }
}

fn platform_ctx(principal: &Principal) -> TenantCtx {
    TenantCtx {
        act_as: principal.act_as.clone(),
        ..TenantCtx::platform(principal.user_id)
    }
}

/// The firm whose directory the caller reads, and its transaction context.
pub fn members(principal: &Principal) -> Result<(Uuid, TenantCtx), ApiError> {
    let Some(firm) = principal.firm_id else {
        return Err(ApiError::permission_denied(
            "The firm directory needs a token issued for a firm",
        ));
    };
    if EXTERNAL_ROLES.iter().any(|r| principal.has_role(r)) && !principal.has_role(FIRM_ADMIN) {
        return Err(ApiError::permission_denied(
            "Portal users (CLIENT, PARTNER_ATTORNEY) cannot read the firm directory",
        ));
    }
    Ok((firm.0, firm_ctx(principal, firm)))
}

/// [`members`], or for a service (its token and `X-Firm-Id`) the directory of
/// the firm it names: services check who a firm's members are (mentions,
/// recipients) after their own access checks.
pub fn members_for(
    principal: &Principal,
    firm_header: Option<&str>,
) -> Result<(Uuid, TenantCtx), ApiError> {
    if principal.is_service()
        && let Some(firm) = firm_header.and_then(|v| v.parse::<FirmId>().ok())
    {
        return Ok((firm.0, firm_ctx(principal, firm)));
    }
    members(principal)
}

/// How far an administrative call on users reaches.
pub enum Reach {
    /// Every user, every firm profile.
    Platform(TenantCtx),
    /// The users of this firm only, and only their profile in it.
    Firm(Uuid, TenantCtx),
}

impl Reach {
    pub fn ctx(&self) -> &TenantCtx {
        match self {
            Self::Platform(ctx) | Self::Firm(_, ctx) => ctx,
        }
    }

    /// The firm a firm administrator is confined to.
    pub fn firm(&self) -> Option<Uuid> {
        match self {
            Self::Platform(_) => None,
            Self::Firm(firm, _) => Some(*firm),
        }
    }
}

fn refused(scope: &str) -> ApiError {
    ApiError::permission_denied(format!(
        "Managing users requires the {scope} scope or the FIRM_ADMIN role"
    ))
    .with_details(serde_json::json!({ "requiredScopes": [scope], "roles": [FIRM_ADMIN] }))
}

/// Administrative reach over users for an action needing `scope`.
pub fn users(principal: &Principal, scope: &str) -> Result<Reach, ApiError> {
    if principal.has_scope(scope) {
        return Ok(Reach::Platform(platform_ctx(principal)));
    }
    match principal.firm_id {
        Some(firm) if principal.has_role(FIRM_ADMIN) => {
            Ok(Reach::Firm(firm.0, firm_ctx(principal, firm)))
        }
        _ => Err(refused(scope)),
    }
}

/// Platform administrators only (user search, erasure).
pub fn platform(principal: &Principal, scope: &str) -> Result<TenantCtx, ApiError> {
    if principal.has_scope(scope) {
        Ok(platform_ctx(principal))
    } else {
        Err(ApiError::permission_denied(format!(
            "This requires the {scope} scope (platform administrators)"
        ))
        .with_details(serde_json::json!({ "requiredScopes": [scope] })))
    }
}

/// The context for managing `firm_id`'s users: 404 for another firm, 403 for a
/// member of the firm who is not its administrator.
pub fn firm_users(
    principal: &Principal,
    firm_id: Uuid,
    scope: &str,
) -> Result<TenantCtx, ApiError> {
    let firm = FirmId(firm_id);
    if principal.has_scope(scope) {
        return Ok(firm_ctx(principal, firm));
    }
    if principal.firm_id != Some(firm) {
        return Err(ApiError::not_found("Firm", firm_id));
    }
    if principal.has_role(FIRM_ADMIN) {
        Ok(firm_ctx(principal, firm))
    } else {
        Err(refused(scope))
    }
}

/// The caller as a platform user (not a service).
pub fn caller_id(principal: &Principal) -> Option<UserId> {
    principal.user_id.filter(|_| !principal.is_service())
}
