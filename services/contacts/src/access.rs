//! Who may do what here, decided with `lawos-authz` in the order of ARCHITECTURE
//! §5: authenticated → firm (the `Tenant` extractor) → scope → reach / grant /
//! wall → field policy.
//!
//! The rbac catalogue has no `contacts:*` scopes: contacts and clients are both
//! governed by `clients:read|create|update|delete`.
//!
//! - A client is the resource `CLIENT/<id>`: `authz.authorize(…, Resource::client(id))`
//!   decides reach, grants and walls (404 when out of reach or walled, 403 when
//!   visible but not allowed); responses pass through the `CLIENT` field
//!   policies (`ssn`, `dateOfBirth`) and request bodies through its write checks.
//! - A plain contact is not a resource type of rbac: the scope is checked at firm
//!   level (`access.require_firm`) and the row is looked up under row-level
//!   security, so another firm's contact is 404. Contacts are firm-wide for
//!   whoever holds the scope, whatever its reach (reach narrows matters and,
//!   here, clients).
//! - A service principal (the matters service checking a `clientId`) is not
//!   limited by a user's capabilities: it gets the row or 404 from RLS.

use lawos_authz::{Access, MatterFilter, Reach, Resource};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::state::ContactsState;

pub const READ: &str = "clients:read";
pub const CREATE: &str = "clients:create";
pub const UPDATE: &str = "clients:update";
pub const DELETE: &str = "clients:delete";
pub const CLIENT: &str = lawos_authz::CLIENT;

pub fn contact_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Contact", id)
}

pub fn client_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Client", id)
}

/// `scope` at firm level (lists, creates, every contact route).
pub async fn firm(state: &ContactsState, tenant: &Tenant, scope: &str) -> Result<Access, ApiError> {
    state
        .authz
        .authorize_firm(&tenant.principal, tenant.firm_id, scope)
        .await
}

/// `scope` on the client `id`.
pub async fn client(
    state: &ContactsState,
    tenant: &Tenant,
    scope: &str,
    id: Uuid,
) -> Result<Access, ApiError> {
    state
        .authz
        .authorize(
            &tenant.principal,
            tenant.firm_id,
            scope,
            &Resource::client(id),
        )
        .await
}

/// The clients a list under `scope` may show: firm-wide reach less the walled
/// clients, or (assigned reach) only the clients the user holds a grant on.
pub fn client_filter(access: &Access, scope: &str) -> MatterFilter {
    let Some(caps) = access.capabilities() else {
        return MatterFilter::AllExcept(Vec::new());
    };
    let on_clients = || {
        caps.doc
            .grants
            .iter()
            .filter(|g| g.resource_type == CLIENT && g.subresource_type.is_none())
    };
    let walled: Vec<Uuid> = on_clients()
        .filter(|g| g.action == "DENY")
        .map(|g| g.resource_id)
        .collect();
    match caps.reach(scope) {
        Some(Reach::All) => MatterFilter::AllExcept(walled),
        _ => MatterFilter::Only(
            on_clients()
                .filter(|g| g.action != "DENY" && !walled.contains(&g.resource_id))
                .map(|g| g.resource_id)
                .collect(),
        ),
    }
}
