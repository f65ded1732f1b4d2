//! A user's capabilities in a firm: scopes with reach (from their role
//! assignments), effective field policies, and the matters they can reach
//! (memberships ∪ active READ/WRITE/DELETE grants on MATTER − active DENY
//! grants), with `validUntil`: the first future instant at which a grant,
//! assignment or membership starts or ends, so a cache never outlives them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use serde::Serialize;
use uuid::Uuid;

use crate::catalogue::{self, DEFAULT_FIELD_POLICIES, Reach};
use crate::model::{
    Assignment, DENY, FieldPolicy, Grant, MatterMember, RolePermission, ScopeReach,
};
use crate::storage;

const MATTER: &str = "MATTER";

/// What `GET …/capabilities` answers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub firm_id: Uuid,
    pub user_id: Uuid,
    /// The roles in force now.
    pub roles: Vec<String>,
    pub scopes: Vec<ScopeReach>,
    pub field_policies: Vec<EffectiveFieldPolicy>,
    pub matter_ids: Vec<Uuid>,
    pub denied_matter_ids: Vec<Uuid>,
    /// Every grant in force now (resources, sub-resources, DENY walls).
    pub grants: Vec<GrantRef>,
    pub computed_at: DateTime<Utc>,
    /// `null` when nothing in the computation starts or ends later.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Whether the user may read and write one field (over all their roles: a role
/// without a policy for the field leaves it readable and writable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveFieldPolicy {
    pub resource_type: String,
    pub field: String,
    pub read: bool,
    pub write: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRef {
    pub id: Uuid,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub subresource_type: Option<String>,
    pub subresource_id: Option<Uuid>,
    pub action: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Loads what the user's capabilities depend on and assembles them.
pub async fn compute(
    conn: &mut AsyncPgConnection,
    firm_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Capabilities, ApiError> {
    let assignments = storage::live_assignments_of_user(conn, user_id, now).await?;
    let custom_ids: Vec<Uuid> = assignments
        .iter()
        .filter_map(|a| a.custom_role_id)
        .collect();
    let live_custom = storage::live_roles(conn, &custom_ids).await?;
    let custom_permissions = storage::role_permissions_of(conn, &live_custom).await?;
    let assignments: Vec<Assignment> = assignments
        .into_iter()
        .filter(|a| a.custom_role_id.is_none_or(|id| live_custom.contains(&id)))
        .collect();
    let active_roles = active_roles(&assignments, now);
    let firm_policies = storage::field_policies_for_roles(conn, &active_roles).await?;
    let grants = storage::live_grants_of_user(conn, user_id, now).await?;
    let members = storage::live_memberships_of_user(conn, user_id, now).await?;
    Ok(assemble(Inputs {
        firm_id,
        user_id,
        now,
        assignments: &assignments,
        custom_permissions: &custom_permissions,
        firm_policies: &firm_policies,
        grants: &grants,
        members: &members,
    }))
}

fn active_roles(assignments: &[Assignment], now: DateTime<Utc>) -> Vec<String> {
    let roles: BTreeSet<String> = assignments
        .iter()
        .filter(|a| a.active_at(now))
        .map(|a| a.role.clone())
        .collect();
    roles.into_iter().collect()
}

/// Everything [`assemble`] needs, loaded.
pub struct Inputs<'a> {
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub now: DateTime<Utc>,
    /// Live (not revoked, not ended) assignments, current and future.
    pub assignments: &'a [Assignment],
    pub custom_permissions: &'a [RolePermission],
    pub firm_policies: &'a [FieldPolicy],
    /// Live (not revoked, not expired) grants, current and future.
    pub grants: &'a [Grant],
    pub members: &'a [MatterMember],
}

/// Pure assembly of the capabilities from loaded rows.
pub fn assemble(input: Inputs<'_>) -> Capabilities {
    let now = input.now;
    let mut boundaries: Vec<DateTime<Utc>> = Vec::new();
    let mut future = |t: Option<DateTime<Utc>>| {
        if let Some(t) = t.filter(|t| *t > now) {
            boundaries.push(t);
        }
    };

    // Scopes: the widest reach any active role gives.
    let mut scopes: BTreeMap<String, Reach> = BTreeMap::new();
    let mut widen = |scope: &str, reach: Reach| {
        let entry = scopes.entry(scope.to_owned()).or_insert(reach);
        *entry = (*entry).max(reach);
    };
    for a in input.assignments {
        future(Some(a.starts_at));
        future(a.ends_at);
        if !a.active_at(now) {
            continue;
        }
        match (a.custom_role_id, catalogue::builtin_role(&a.role)) {
            (None, Some(role)) => {
                for (scope, reach) in role.scopes() {
                    widen(scope, reach);
                }
            }
            (Some(id), _) => {
                for p in input.custom_permissions.iter().filter(|p| p.role_id == id) {
                    widen(&p.scope, Reach::parse(&p.reach).unwrap_or(Reach::Assigned));
                }
            }
            (None, None) => {}
        }
    }
    let roles = active_roles(input.assignments, now);

    // Matters: memberships ∪ grants − walls.
    let mut matters: BTreeSet<Uuid> = BTreeSet::new();
    for m in input.members {
        future(m.starts_at);
        future(m.ends_at);
        if m.active_at(now) {
            matters.insert(m.matter_id);
        }
    }
    let mut denied: BTreeSet<Uuid> = BTreeSet::new();
    let mut grants = Vec::new();
    for g in input.grants {
        future(Some(g.starts_at));
        future(g.expires_at);
        if !g.active_at(now) {
            continue;
        }
        if g.resource_type == MATTER && g.subresource_type.is_none() {
            if g.action == DENY {
                denied.insert(g.resource_id);
            } else {
                matters.insert(g.resource_id);
            }
        }
        grants.push(GrantRef {
            id: g.id,
            resource_type: g.resource_type.clone(),
            resource_id: g.resource_id,
            subresource_type: g.subresource_type.clone(),
            subresource_id: g.subresource_id,
            action: g.action.clone(),
            expires_at: g.expires_at,
        });
    }
    let matter_ids = matters.difference(&denied).copied().collect();

    Capabilities {
        firm_id: input.firm_id,
        user_id: input.user_id,
        field_policies: field_policies(&roles, input.firm_policies),
        roles,
        scopes: scopes
            .into_iter()
            .map(|(scope, reach)| ScopeReach {
                scope,
                reach: reach.as_str().to_owned(),
            })
            .collect(),
        matter_ids,
        denied_matter_ids: denied.into_iter().collect(),
        grants,
        computed_at: now,
        valid_until: boundaries.into_iter().min(),
    }
}

/// Per field: a firm policy for (field, role) overrides the default; a role
/// without either leaves the field open; the user may do what any role allows.
pub fn field_policies(roles: &[String], firm: &[FieldPolicy]) -> Vec<EffectiveFieldPolicy> {
    let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
    for p in DEFAULT_FIELD_POLICIES
        .iter()
        .filter(|p| roles.iter().any(|r| r == p.role))
    {
        keys.insert((p.resource_type.to_owned(), p.field.to_owned()));
    }
    for p in firm {
        keys.insert((p.resource_type.clone(), p.field.clone()));
    }
    keys.into_iter()
        .map(|(resource_type, field)| {
            let per_role = roles.iter().map(|role| {
                firm.iter()
                    .find(|p| {
                        p.resource_type == resource_type && p.field == field && &p.role == role
                    })
                    .map(|p| (p.can_read, p.can_write))
                    .or_else(|| {
                        DEFAULT_FIELD_POLICIES
                            .iter()
                            .find(|p| {
                                p.resource_type == resource_type
                                    && p.field == field
                                    && p.role == role
                            })
                            .map(|p| (p.read, p.write))
                    })
                    .unwrap_or((true, true))
            });
            let (read, write) =
                per_role.fold((false, false), |(r, w), (pr, pw)| (r || pr, w || pw));
            EffectiveFieldPolicy {
                resource_type,
                field,
                read,
                write,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn assignment(role: &str, starts: DateTime<Utc>, ends: Option<DateTime<Utc>>) -> Assignment {
        Assignment {
            id: Uuid::now_v7(),
            firm_id: Uuid::nil(),
            user_id: Uuid::nil(),
            role: role.to_owned(),
            custom_role_id: None,
            starts_at: starts,
            ends_at: ends,
            assigned_by: None,
            created_at: starts,
            revoked_at: None,
            revoked_by: None,
        }
    }

    fn grant(
        matter: Uuid,
        action: &str,
        starts: DateTime<Utc>,
        expires: Option<DateTime<Utc>>,
    ) -> Grant {
        Grant {
            id: Uuid::now_v7(),
            firm_id: Uuid::nil(),
            user_id: Uuid::nil(),
            resource_type: "MATTER".into(),
            resource_id: matter,
            subresource_type: None,
            subresource_id: None,
            action: action.into(),
            starts_at: starts,
            expires_at: expires,
            revoked_at: None,
            granted_by: None,
            revoked_by: None,
            reason: None,
            created_at: starts,
        }
    }

    #[test]
    fn deny_wins_and_valid_until_is_the_first_boundary() {
        let now = Utc::now();
        let (m1, m2, m3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let assignments = [
            assignment(
                "PARALEGAL",
                now - Duration::days(1),
                Some(now + Duration::hours(5)),
            ),
            assignment("STAFF", now + Duration::hours(2), None),
        ];
        let grants = [
            grant(
                m1,
                "READ",
                now - Duration::hours(1),
                Some(now + Duration::hours(1)),
            ),
            grant(m2, "DENY", now - Duration::hours(1), None),
            grant(m3, "WRITE", now + Duration::minutes(30), None),
        ];
        let members = [MatterMember {
            firm_id: Uuid::nil(),
            matter_id: m2,
            user_id: Uuid::nil(),
            role: None,
            starts_at: None,
            ends_at: None,
            updated_at: now,
        }];
        let caps = assemble(Inputs {
            firm_id: Uuid::nil(),
            user_id: Uuid::nil(),
            now,
            assignments: &assignments,
            custom_permissions: &[],
            firm_policies: &[],
            grants: &grants,
            members: &members,
        });
        assert_eq!(caps.roles, ["PARALEGAL"]);
        assert_eq!(caps.matter_ids, [m1]);
        assert_eq!(caps.denied_matter_ids, [m2]);
        assert_eq!(caps.valid_until, Some(now + Duration::minutes(30)));
        assert!(caps.scopes.iter().all(|s| s.reach == "ASSIGNED"));
        assert_eq!(
            caps.field_policies,
            [EffectiveFieldPolicy {
                resource_type: "CLIENT".into(),
                field: "ssn".into(),
                read: false,
                write: false
            }]
        );
    }

    #[test]
    fn another_role_without_the_policy_opens_the_field() {
        let roles = vec!["LAWYER".to_owned(), "PARALEGAL".to_owned()];
        let effective = field_policies(&roles, &[]);
        assert!(effective[0].read && effective[0].write);
    }
}
