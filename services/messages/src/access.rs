//! Who may read and write which messages, decided with `lawos-authz` in the
//! order authenticated → firm (the `Tenant` extractor) → scope → reach / grant
//! / wall. A message is visible by its context, copied from its channel:
//!
//! - `MATTER`: `messages:read` on the matter (firm-wide reach less the walled
//!   matters, or assigned matters; a DENY grant hides the matter's messages);
//! - `CONTACT`: `messages:read` and `clients:read` (contacts are firm records);
//! - `INTERNAL` (the firm's own channels): `messages:read` with firm-wide
//!   reach, or at any reach for the channel's user participants (as channels
//!   decides for the channel itself).
//!
//! Lists and search apply the same rule in SQL ([`Visibility`]); search, which
//! does not know channels' participants, shows internal messages to firm-wide
//! readers only. Reading one message or a thread also asks channels whether
//! the caller sees the channel.
//! Edits are the sender's alone (403 for anyone else); a message is deleted by
//! its sender or by a firm administrator: a holder of `users:update` with
//! firm-wide reach (FIRM_ADMIN), the scope of whoever administers the firm's
//! people — the same callers administer its SMS numbers.

use lawos_authz::{Access, Authz, Decision, MatterFilter, Reach, Resource};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use crate::model::{CONTACT, INTERNAL, MATTER};

pub const MESSAGES_READ: &str = "messages:read";
pub const MESSAGES_CREATE: &str = "messages:create";
pub const CLIENTS_READ: &str = "clients:read";
pub const COMMENTS_READ: &str = "comments:read";
pub const COMMENTS_CREATE: &str = "comments:create";
pub const COMMENTS_UPDATE: &str = "comments:update";
/// The scope that marks a firm administrator (FIRM_ADMIN holds it firm-wide).
pub const FIRM_ADMINISTRATION: &str = "users:update";

/// The caller's access in the tenant's firm.
pub async fn caller(authz: &Authz, tenant: &Tenant) -> Result<Access, ApiError> {
    authz.access(&tenant.principal, tenant.firm_id).await
}

pub fn forbidden(scope: &str) -> ApiError {
    ApiError::permission_denied(format!("This action requires the {scope} scope"))
        .with_details(json!({ "requiredScopes": [scope] }))
}

fn may(
    access: &Access,
    scope: &str,
    context_type: &str,
    context_id: Option<Uuid>,
    participant: bool,
) -> bool {
    let Some(caps) = access.capabilities() else {
        return true;
    };
    match (context_type, context_id) {
        (MATTER, Some(matter)) => {
            caps.decide(scope, &Resource::matter(matter)) == Decision::Allowed
        }
        (CONTACT, Some(_)) => caps.reach(scope).is_some() && caps.reach(CLIENTS_READ).is_some(),
        (INTERNAL, None) => match caps.reach(scope) {
            Some(Reach::All) => true,
            Some(Reach::Assigned) => participant,
            None => false,
        },
        _ => false,
    }
}

/// `scope` on a message (or channel) of this context (`participant`: the
/// caller takes part in the channel): allowed, forbidden (the caller may read
/// it: 403) or hidden (404).
pub fn decide(
    access: &Access,
    scope: &str,
    context_type: &str,
    context_id: Option<Uuid>,
    participant: bool,
) -> Decision {
    if may(access, scope, context_type, context_id, participant) {
        Decision::Allowed
    } else if scope != MESSAGES_READ
        && may(access, MESSAGES_READ, context_type, context_id, participant)
    {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// [`decide`] as the answer: `Ok`, 403, or `hidden` (the 404 of what was asked for).
pub fn require(
    access: &Access,
    scope: &str,
    context_type: &str,
    context_id: Option<Uuid>,
    participant: bool,
    hidden: impl FnOnce() -> ApiError,
) -> Result<(), ApiError> {
    match decide(access, scope, context_type, context_id, participant) {
        Decision::Allowed => Ok(()),
        Decision::Forbidden => Err(forbidden(scope)),
        Decision::Hidden => Err(hidden()),
    }
}

/// Whether the caller administers the firm (deletes others' messages and
/// comments, manages SMS numbers). A service is trusted.
pub fn is_firm_admin(access: &Access) -> bool {
    access
        .capabilities()
        .is_none_or(|caps| caps.reach(FIRM_ADMINISTRATION) == Some(Reach::All))
}

/// 403 unless the caller administers the firm.
pub fn require_firm_admin(access: &Access) -> Result<(), ApiError> {
    if is_firm_admin(access) {
        Ok(())
    } else {
        Err(forbidden(FIRM_ADMINISTRATION))
    }
}

/// Which messages a list or a search may show, as SQL decides it.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// `MATTER` rows: the caller's `messages:read` matters.
    pub matters: MatterFilter,
    /// `CONTACT` rows: with `clients:read`.
    pub contacts: bool,
    /// `INTERNAL` rows: with firm-wide `messages:read`.
    pub internal: bool,
}

impl Visibility {
    /// 403 without `messages:read` at all.
    pub fn of(access: &Access) -> Result<Self, ApiError> {
        let matters = access.matter_filter(MESSAGES_READ)?;
        Ok(match access.capabilities() {
            None => Self {
                matters,
                contacts: true,
                internal: true,
            },
            Some(caps) => Self {
                matters,
                contacts: caps.reach(CLIENTS_READ).is_some(),
                internal: caps.reach(MESSAGES_READ) == Some(Reach::All),
            },
        })
    }
}
