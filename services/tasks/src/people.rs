//! Assignees and attendees who are firm users must be members of the firm (a
//! role in force there, as rbac's capabilities say) and able to read the task
//! or appointment (its matter's reach, a grant, or, for a firm-level item,
//! the scope at any reach), decided with their own capabilities through the
//! same `Authz` cache as requests. Anyone else is 422 naming the entry.

use lawos_authz::{Authz, Decision};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId};
use uuid::Uuid;

use crate::access::{self, Item};

/// Checks each of `users` (the entries of `field`) against `scope` on `item`
/// (as if they were involved in it).
pub async fn check(
    authz: &Authz,
    firm: FirmId,
    scope: &str,
    item: Item,
    users: &[(String, Uuid)],
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    for (field, user) in users {
        let caps = authz.capabilities(firm.0, *user).await?;
        if caps.doc.roles.is_empty() {
            errors.add(
                field,
                ErrorCode::ResourceNotFound,
                format!("{user} is not a member of this firm"),
            );
            continue;
        }
        let theirs = Item {
            involved: true,
            ..item
        };
        if access::decide(&caps, scope, &theirs) != Decision::Allowed {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                format!(
                    "{user} cannot reach this {}",
                    if item.matter.is_some() {
                        "matter"
                    } else {
                        "item"
                    }
                ),
            );
        }
    }
    errors.into_result()
}
