//! Who may do what in billing, decided with `lawos-authz` in the order
//! authenticated → firm (the `Tenant` extractor) → scope → reach / grant / wall.
//!
//! - A caller without the scope at all (PARALEGAL: no billing) is 403
//!   `PERMISSION_DENIED` at once; a row of another firm, or one out of reach,
//!   is 404; a forbidden action on a visible row is 403.
//! - Time entries and expenses are sub-resources of their matter
//!   (`TIME_ENTRY` / `EXPENSE` under `MATTER`): one's own are always reachable,
//!   others' by the scope's reach over the matter (STAFF firm-wide, LAWYER
//!   firm-wide, PARTNER_ATTORNEY assigned matters). Expenses use the
//!   `time-entries:*` scopes.
//! - Approving: `time-entries:approve` over the matter (STAFF), the firm's
//!   FIRM_ADMIN, or the matter's active lead attorney (asked of matters).
//! - Invoices (`INVOICE` under `MATTER`): `invoices:read` reads (LAWYER: read
//!   only), `invoices:create` generates, `invoices:update` adjusts, issues and
//!   voids, records payments, credit notes and every trust operation.
//! - Rates and firm activity codes are firm administration: `users:update`
//!   with firm-wide reach (FIRM_ADMIN).

use lawos_authz::{Access, Authz, Decision, MATTER, MatterFilter, Reach, Resource};
use lawos_core::{ApiError, ErrorCode};
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

pub const TE_CREATE: &str = "time-entries:create";
pub const TE_READ: &str = "time-entries:read";
pub const TE_UPDATE: &str = "time-entries:update";
pub const TE_SUBMIT: &str = "time-entries:submit";
pub const TE_APPROVE: &str = "time-entries:approve";
pub const INV_READ: &str = "invoices:read";
pub const INV_CREATE: &str = "invoices:create";
pub const INV_UPDATE: &str = "invoices:update";
pub const USERS_UPDATE: &str = "users:update";

pub const TIME_ENTRY: &str = "TIME_ENTRY";
pub const EXPENSE: &str = "EXPENSE";
pub const INVOICE: &str = "INVOICE";

/// The caller in this firm: their access and user id (none for a service).
#[derive(Debug, Clone)]
pub struct Caller {
    pub access: Access,
    pub me: Option<Uuid>,
}

/// The caller, holding `scope` somewhere in the firm (else 403).
pub async fn caller(authz: &Authz, tenant: &Tenant, scope: &str) -> Result<Caller, ApiError> {
    let access = authz
        .authorize_firm(&tenant.principal, tenant.firm_id, scope)
        .await?;
    Ok(Caller {
        access,
        me: tenant.principal.user_id.map(|u| u.0),
    })
}

/// Firm administration (rates, activity codes): `users:update` firm-wide.
pub async fn administrator(authz: &Authz, tenant: &Tenant) -> Result<Caller, ApiError> {
    let caller = caller(authz, tenant, USERS_UPDATE).await?;
    if caller.reaches_firm(USERS_UPDATE) {
        Ok(caller)
    } else {
        Err(ApiError::permission_denied("Rates are firm administration")
            .with_details(json!({ "requiredScopes": [USERS_UPDATE] })))
    }
}

impl Caller {
    pub fn is_me(&self, user: Uuid) -> bool {
        self.me == Some(user)
    }

    /// `scope` on a row of `kind` under `matter` owned by `owner`: one's own
    /// always, others' by reach (404 out of reach, 403 visible but not allowed).
    pub fn require_on(
        &self,
        scope: &str,
        kind: &'static str,
        id: Uuid,
        matter: Uuid,
        owner: Uuid,
    ) -> Result<(), ApiError> {
        if self.is_me(owner) {
            return Ok(());
        }
        self.access
            .require(scope, &Resource::new(kind, id).under(MATTER, matter))
    }

    /// `scope` on an invoice (or what hangs from one) of `matter`.
    pub fn require_invoice(&self, scope: &str, id: Uuid, matter: Uuid) -> Result<(), ApiError> {
        self.access
            .require(scope, &Resource::new(INVOICE, id).under(MATTER, matter))
    }

    /// Whether `scope` is allowed on a new row under `matter`.
    pub fn require_matter(
        &self,
        scope: &str,
        kind: &'static str,
        matter: Uuid,
    ) -> Result<(), ApiError> {
        self.access.require(
            scope,
            &Resource::new(kind, Uuid::nil()).under(MATTER, matter),
        )
    }

    /// The matters a list under `scope` shows.
    pub fn matter_filter(&self, scope: &str) -> Result<MatterFilter, ApiError> {
        self.access.matter_filter(scope)
    }

    /// A service, or `scope` with firm-wide reach.
    pub fn reaches_firm(&self, scope: &str) -> bool {
        self.access
            .capabilities()
            .is_none_or(|caps| caps.reach(scope) == Some(Reach::All))
    }

    pub fn is_firm_admin(&self) -> bool {
        self.access
            .capabilities()
            .is_some_and(|caps| caps.doc.roles.iter().any(|r| r == "FIRM_ADMIN"))
    }

    /// Whether the caller is a partner attorney (their entries are PARTNER entries).
    pub fn is_partner(&self) -> bool {
        self.access
            .capabilities()
            .is_some_and(|caps| caps.doc.roles.iter().any(|r| r == "PARTNER_ATTORNEY"))
    }

    /// Approving by scope: `time-entries:approve` reaches the row.
    pub fn approves_by_scope(&self, kind: &'static str, id: Uuid, matter: Uuid) -> bool {
        self.access
            .decide(TE_APPROVE, &Resource::new(kind, id).under(MATTER, matter))
            == Decision::Allowed
            || self.is_firm_admin()
    }
}

pub fn approve_denied() -> ApiError {
    ApiError::new(
        ErrorCode::PermissionDenied,
        "Only the matter's lead attorney, a firm administrator or a holder of time-entries:approve may approve or reject",
    )
    .with_details(json!({ "requiredScopes": [TE_APPROVE], "requiredMemberRole": "LEAD_ATTORNEY" }))
}
