//! Comments (Backstage Collaboration) on a matter (`CASE` accepted as its
//! alias), a client, a document, an appointment or a time entry. Access is the
//! parent resource's, asked of whoever decides it, then the comment scope:
//!
//! - `MATTER`: `comments:*` on the matter with lawos-authz (reach, grants,
//!   walls), and the matter must exist at matters;
//! - `CLIENT`: `comments:*` on the client with lawos-authz, and contacts must
//!   show the client to the caller (their token: 404 or 403 hides it);
//! - `DOCUMENT`, `APPOINTMENT`, `TIME_ENTRY`: `comments:*` in the firm, and
//!   the owner (documents, tasks, billing) must show it to the caller; when it
//!   names the matter it lies under, a wall on that matter hides it too.
//!
//! A hidden or missing parent is 404; an owner that cannot be asked is 503.

pub mod events;
pub mod mentions;
pub mod model;

use lawos_authz::{Access, MATTER, Resource};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::clients::CallerAuth;
use crate::clients::parents::matter_of;
use crate::state::MessagesState;

/// The resource types comments attach to.
pub const RESOURCE_TYPES: [&str; 5] = ["MATTER", "CLIENT", "DOCUMENT", "APPOINTMENT", "TIME_ENTRY"];

/// The canonical resource type of a path's `{resourceType}` (upper-cased,
/// `CASE` → `MATTER`); `None` for anything else (404).
pub fn resource_type(raw: &str) -> Option<&'static str> {
    let upper = raw.to_ascii_uppercase().replace('-', "_");
    let canonical = if upper == "CASE" { "MATTER" } else { &upper };
    RESOURCE_TYPES.into_iter().find(|t| *t == canonical)
}

/// The 404 of a parent.
pub fn parent_not_found(resource_type: &str, id: Uuid) -> ApiError {
    let name = match resource_type {
        "MATTER" => "Matter",
        "CLIENT" => "Client",
        "DOCUMENT" => "Document",
        "APPOINTMENT" => "Appointment",
        _ => "TimeEntry",
    };
    ApiError::not_found(name, id)
}

/// A parent the caller reaches under `scope`: the matter it is or lies under.
#[derive(Debug, Clone, Copy)]
pub struct Parent {
    pub matter_id: Option<Uuid>,
}

/// Whether the caller reaches comments of `resource_type`/`id` under each of
/// `scopes` in turn: the first is the read (refused: 404), each further one
/// a write on what the caller sees (refused: 403).
pub async fn reach(
    state: &MessagesState,
    tenant: &Tenant,
    caller: &CallerAuth,
    access: &Access,
    scopes: &[&str],
    resource_type: &'static str,
    id: Uuid,
) -> Result<Parent, ApiError> {
    let hidden = || parent_not_found(resource_type, id);
    let check = |resource: &Resource| -> Result<(), ApiError> {
        for scope in scopes {
            access.require(scope, resource).map_err(|e| {
                if e.code == lawos_core::ErrorCode::ResourceNotFound {
                    hidden()
                } else {
                    e
                }
            })?;
        }
        Ok(())
    };
    match resource_type {
        "MATTER" => {
            check(&Resource::matter(id))?;
            if !state.parents.matter_exists(tenant.firm_id, id).await? {
                return Err(hidden());
            }
            Ok(Parent {
                matter_id: Some(id),
            })
        }
        "CLIENT" => {
            check(&Resource::client(id))?;
            state
                .contacts
                .client_for_caller(caller, id)
                .await?
                .ok_or_else(hidden)?;
            Ok(Parent { matter_id: None })
        }
        other => {
            for scope in scopes {
                access.require_firm(scope)?;
            }
            let found = state
                .parents
                .for_caller(caller, other, id)
                .await?
                .ok_or_else(hidden)?;
            let matter_id = matter_of(&found);
            if let Some(matter) = matter_id {
                check(&Resource::new(resource_type, id).under(MATTER, matter))?;
            }
            Ok(Parent { matter_id })
        }
    }
}

/// 422 naming `body` when a mentioned id is not an active member of the firm.
pub async fn check_members(
    state: &MessagesState,
    firm: lawos_core::FirmId,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    let mut errors = lawos_core::FieldErrors::new();
    for id in ids {
        if state.members.member(firm, *id).await?.is_none() {
            errors.add(
                "body",
                lawos_core::ErrorCode::ResourceNotFound,
                format!("mentions {id}, who is not a member of this firm"),
            );
        }
    }
    errors.into_result()
}

/// The views of `rows` with their mentions.
pub fn views(rows: &[model::Comment], mentions: &[(Uuid, Uuid)]) -> Vec<model::CommentView> {
    rows.iter()
        .map(|c| {
            let of: Vec<Uuid> = mentions
                .iter()
                .filter(|(comment, _)| *comment == c.id)
                .map(|(_, user)| *user)
                .collect();
            model::CommentView::new(c, of)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_and_the_case_alias() {
        assert_eq!(resource_type("MATTER"), Some("MATTER"));
        assert_eq!(resource_type("case"), Some("MATTER"));
        assert_eq!(resource_type("time-entry"), Some("TIME_ENTRY"));
        assert_eq!(resource_type("Client"), Some("CLIENT"));
        assert_eq!(resource_type("INVOICE"), None);
    }
}
