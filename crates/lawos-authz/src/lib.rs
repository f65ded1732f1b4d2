//! Access decisions, made the same way in every service (ARCHITECTURE §5):
//! authenticated → firm → scope → reach / grant / wall → field policy.
//!
//! A service holds one [`Authz`] ([`Authz::for_service`]) and runs its
//! invalidation [`worker`](Authz::worker). Per request:
//!
//! - `authz.authorize(&principal, firm, "matters:read", &Resource::matter(id))`
//!   answers the caller's [`Access`] or the error to return (404 when the
//!   resource is out of reach or walled, 403 when visible but not allowed);
//! - `access.matter_filter("matters:read")?.predicate(matters::id)` filters a
//!   list in SQL;
//! - `access.redact("CLIENT", &mut json)` drops fields the caller may not read,
//!   `access.check_writes("CLIENT", &body)` refuses writes of forbidden fields.
//!
//! Capabilities come from rbac (one REST call when cold), are kept in process and
//! in Redis for at most five minutes and never past their `validUntil`, and are
//! dropped when `permission.changed` names the user.

mod access;
mod authz;
mod capabilities;
mod client;
mod decision;
mod fields;
mod filter;
mod invalidation;

pub use access::Access;
pub use authz::{Authz, AuthzStats, CACHE_TTL};
pub use capabilities::{Capabilities, CapabilitiesDoc, FieldRule, GrantRef, Reach, ScopeReach};
pub use decision::{Action, CLIENT, Decision, MATTER, Resource, read_scope_of};
pub use filter::{MatterFilter, MatterPredicate};
pub use invalidation::PERMISSION_CHANGED;
