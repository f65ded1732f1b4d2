//! Who may do what with a matter, decided with `lawos-authz` in the order
//! authenticated → firm (the `Tenant` extractor) → scope → reach / grant / wall.
//! A matter the caller cannot reach, or another firm's, is 404; a forbidden
//! action on a visible matter is 403 `PERMISSION_DENIED`.
//!
//! Reopening (`CLOSED → IN_PROGRESS`) is for lawyers: a caller holding
//! `matters:update` with firm-wide reach (LAWYER), or the matter's active
//! `LEAD_ATTORNEY` member (e.g. a PARTNER_ATTORNEY leading it). Assigned-reach
//! updaters that do not lead the matter (PARALEGAL) get 403.

use lawos_authz::{Access, Authz, Reach, Resource};
use lawos_core::{ApiError, ErrorCode};
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

pub const MATTERS_READ: &str = "matters:read";
pub const MATTERS_CREATE: &str = "matters:create";
pub const MATTERS_UPDATE: &str = "matters:update";
pub const MATTERS_DELETE: &str = "matters:delete";
/// The resource type of field policies and grants.
pub const MATTER: &str = "MATTER";

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Matter", id)
}

/// `scope` on matter `id`: the caller's access, or the 404/403 to answer.
pub async fn matter(
    authz: &Authz,
    tenant: &Tenant,
    scope: &str,
    id: Uuid,
) -> Result<Access, ApiError> {
    authz
        .authorize(
            &tenant.principal,
            tenant.firm_id,
            scope,
            &Resource::matter(id),
        )
        .await
}

/// `scope` at firm level (a list, a create).
pub async fn firm(authz: &Authz, tenant: &Tenant, scope: &str) -> Result<Access, ApiError> {
    authz
        .authorize_firm(&tenant.principal, tenant.firm_id, scope)
        .await
}

/// Whether the caller reopens any matter by role (firm-wide `matters:update`, or
/// a service); otherwise only as the matter's lead attorney.
pub fn reopens_by_role(access: &Access) -> bool {
    access
        .capabilities()
        .is_none_or(|caps| caps.reach(MATTERS_UPDATE) == Some(Reach::All))
}

pub fn reopen_denied() -> ApiError {
    ApiError::new(
        ErrorCode::PermissionDenied,
        "Only a lawyer (firm-wide matters:update) or the matter's lead attorney may reopen it",
    )
    .with_details(
        json!({ "requiredScopes": [MATTERS_UPDATE], "requiredMemberRole": "LEAD_ATTORNEY" }),
    )
}
