//! Who may do what with a task or an appointment, decided with `lawos-authz` in
//! the order authenticated → firm (the `Tenant` extractor) → scope → reach /
//! grant / wall.
//!
//! - An item of a matter follows the matter: `Resource::new("TASK", id).under("MATTER", m)`
//!   (so a grant on the matter, or on that one task as a sub-resource, counts,
//!   and a wall on the matter hides it).
//! - A firm-level item (no matter) is reached by firm-wide reach, by a grant on
//!   it, and by the people involved (a task's creator and assignees, an
//!   appointment's organizer and attendees) who hold the scope at any reach.
//! - Refused on an item the caller may read: 403 `PERMISSION_DENIED`; otherwise 404.
//!
//! Lists are decided in SQL ([`Visibility`]): matter items by the matter filter
//! of the read scope, firm-level items by firm-wide reach or involvement.

use lawos_authz::{
    Access, Capabilities, Decision, MATTER, MatterFilter, Reach, Resource, read_scope_of,
};
use lawos_core::ApiError;
use serde_json::json;
use uuid::Uuid;

pub const TASKS_READ: &str = "tasks:read";
pub const TASKS_CREATE: &str = "tasks:create";
pub const TASKS_UPDATE: &str = "tasks:update";
pub const TASKS_DELETE: &str = "tasks:delete";
pub const APPOINTMENTS_READ: &str = "appointments:read";
pub const APPOINTMENTS_CREATE: &str = "appointments:create";
pub const APPOINTMENTS_UPDATE: &str = "appointments:update";
pub const APPOINTMENTS_DELETE: &str = "appointments:delete";

/// Resource types of grants and field policies.
pub const TASK: &str = "TASK";
pub const APPOINTMENT: &str = "APPOINTMENT";

/// An item a decision is about.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub kind: &'static str,
    pub id: Uuid,
    pub matter: Option<Uuid>,
    /// Whether the user in question is its creator/organizer, an assignee or an attendee.
    pub involved: bool,
}

impl Item {
    pub fn resource(&self) -> Resource {
        let own = Resource::new(self.kind, self.id);
        match self.matter {
            Some(m) => own.under(MATTER, m),
            None => own,
        }
    }

    fn not_found(&self) -> ApiError {
        let name = if self.kind == TASK {
            "Task"
        } else {
            "Appointment"
        };
        ApiError::not_found(name, self.id)
    }
}

/// The decision for one user's capabilities.
pub fn decide(caps: &Capabilities, scope: &str, item: &Item) -> Decision {
    let decision = caps.decide(scope, &item.resource());
    if decision == Decision::Allowed || item.matter.is_some() || !item.involved {
        return decision;
    }
    if caps.walled(&item.resource()) {
        Decision::Hidden
    } else if caps.reach(scope).is_some() {
        Decision::Allowed
    } else if caps.reach(&read_scope_of(scope)).is_some() {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// `Ok`, 403 on an item the caller may read, or 404.
pub fn require(access: &Access, scope: &str, item: &Item) -> Result<(), ApiError> {
    let Some(caps) = access.capabilities() else {
        return Ok(());
    };
    match decide(caps, scope, item) {
        Decision::Allowed => Ok(()),
        Decision::Forbidden => Err(ApiError::permission_denied(format!(
            "This action requires the {scope} scope"
        ))
        .with_details(json!({ "requiredScopes": [scope] }))),
        Decision::Hidden => Err(item.not_found()),
    }
}

/// What a list under one read scope may show, for SQL.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Matter items: the matters the caller reaches.
    pub matters: MatterFilter,
    /// Firm-level items: every one (firm-wide reach, or a service), else only
    /// those the caller is involved in.
    pub all_firm_level: bool,
    /// The caller (none for a service).
    pub me: Option<Uuid>,
}

impl Visibility {
    /// 403 without the scope.
    pub fn of(access: &Access, scope: &str) -> Result<Self, ApiError> {
        let matters = access.matter_filter(scope)?;
        let all_firm_level = access
            .capabilities()
            .is_none_or(|caps| caps.reach(scope) == Some(Reach::All));
        let me = access.capabilities().map(|caps| caps.user_id());
        Ok(Self {
            matters,
            all_firm_level,
            me,
        })
    }
}
