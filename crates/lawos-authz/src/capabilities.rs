//! A user's capabilities in a firm, as the rbac service computes them
//! (`GET /api/v1/rbac/firms/{firmId}/users/{userId}/capabilities`), indexed for
//! decisions that cost a few hash lookups.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far a scope reaches inside the firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reach {
    /// Matters the user is a member of or holds a grant on.
    Assigned,
    /// Firm-wide.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeReach {
    pub scope: String,
    pub reach: Reach,
}

/// Whether the user may read and write one field of a resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRule {
    pub resource_type: String,
    pub field: String,
    pub read: bool,
    pub write: bool,
}

/// A grant in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRef {
    pub id: Uuid,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub subresource_type: Option<String>,
    pub subresource_id: Option<Uuid>,
    /// `READ`, `WRITE`, `DELETE` or `DENY`.
    pub action: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The capabilities document as rbac answers it (and as it is kept in Redis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitiesDoc {
    pub firm_id: Uuid,
    pub user_id: Uuid,
    pub roles: Vec<String>,
    pub scopes: Vec<ScopeReach>,
    pub field_policies: Vec<FieldRule>,
    pub matter_ids: Vec<Uuid>,
    pub denied_matter_ids: Vec<Uuid>,
    pub grants: Vec<GrantRef>,
    pub computed_at: DateTime<Utc>,
    /// The first instant at which a grant, assignment or membership starts or ends.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Grant actions on one resource, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Actions(u8);

impl Actions {
    pub(crate) const READ: u8 = 1;
    pub(crate) const WRITE: u8 = 2;
    pub(crate) const DELETE: u8 = 4;
    pub(crate) const DENY: u8 = 8;

    fn add(&mut self, action: &str) {
        self.0 |= match action {
            "READ" => Self::READ,
            "WRITE" => Self::WRITE,
            "DELETE" => Self::DELETE,
            "DENY" => Self::DENY,
            _ => 0,
        };
    }

    pub(crate) fn has(self, bits: u8) -> bool {
        self.0 & bits != 0
    }
}

/// `(resource type, resource id, sub-resource type, sub-resource id)`.
pub(crate) type GrantKey = (String, Uuid, Option<String>, Option<Uuid>);

/// [`CapabilitiesDoc`] indexed for decisions.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub doc: CapabilitiesDoc,
    pub(crate) scopes: HashMap<String, Reach>,
    pub(crate) matters: HashSet<Uuid>,
    pub(crate) grants: HashMap<GrantKey, Actions>,
    /// Keyed by (resource type, field name folded: lower case, no `_`).
    pub(crate) fields: HashMap<(String, String), (bool, bool)>,
}

/// `dateOfBirth`, `date_of_birth` and `DATE_OF_BIRTH` name the same field.
pub(crate) fn fold_field(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl From<CapabilitiesDoc> for Capabilities {
    fn from(doc: CapabilitiesDoc) -> Self {
        let scopes = doc
            .scopes
            .iter()
            .map(|s| (s.scope.clone(), s.reach))
            .collect();
        let mut matters: HashSet<Uuid> = doc.matter_ids.iter().copied().collect();
        for denied in &doc.denied_matter_ids {
            matters.remove(denied);
        }
        let mut grants: HashMap<GrantKey, Actions> = HashMap::new();
        for g in &doc.grants {
            grants
                .entry((
                    g.resource_type.clone(),
                    g.resource_id,
                    g.subresource_type.clone(),
                    g.subresource_id,
                ))
                .or_default()
                .add(&g.action);
        }
        let fields = doc
            .field_policies
            .iter()
            .map(|f| {
                (
                    (f.resource_type.clone(), fold_field(&f.field)),
                    (f.read, f.write),
                )
            })
            .collect();
        Self {
            doc,
            scopes,
            matters,
            grants,
            fields,
        }
    }
}

impl Capabilities {
    pub fn firm_id(&self) -> Uuid {
        self.doc.firm_id
    }

    pub fn user_id(&self) -> Uuid {
        self.doc.user_id
    }

    /// The reach of `scope`, if the user holds it at all.
    pub fn reach(&self, scope: &str) -> Option<Reach> {
        self.scopes.get(scope).copied()
    }

    /// The matters the user is a member of or holds a grant on, walls removed.
    pub fn assigned_matters(&self) -> &HashSet<Uuid> {
        &self.matters
    }

    pub(crate) fn grant(&self, key: &GrantKey) -> Actions {
        self.grants.get(key).copied().unwrap_or_default()
    }
}

/// Capabilities built by hand, for the decision tests.
#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    /// `(resource type, resource id, sub-resource, action)`.
    pub(crate) type SampleGrant<'a> = (&'a str, Uuid, Option<(&'a str, Uuid)>, &'a str);

    pub(crate) fn caps(
        scopes: &[(&str, Reach)],
        matters: &[Uuid],
        grants: &[SampleGrant<'_>],
        fields: &[(&str, &str, bool, bool)],
    ) -> Capabilities {
        let denied: Vec<Uuid> = grants
            .iter()
            .filter(|g| g.0 == "MATTER" && g.2.is_none() && g.3 == "DENY")
            .map(|g| g.1)
            .collect();
        Capabilities::from(CapabilitiesDoc {
            firm_id: Uuid::nil(),
            user_id: Uuid::nil(),
            roles: Vec::new(),
            scopes: scopes
                .iter()
                .map(|(scope, reach)| ScopeReach {
                    scope: (*scope).to_owned(),
                    reach: *reach,
                })
                .collect(),
            field_policies: fields
                .iter()
                .map(|(t, f, read, write)| FieldRule {
                    resource_type: (*t).to_owned(),
                    field: (*f).to_owned(),
                    read: *read,
                    write: *write,
                })
                .collect(),
            matter_ids: matters.to_vec(),
            denied_matter_ids: denied,
            grants: grants
                .iter()
                .map(|(t, id, sub, action)| GrantRef {
                    id: Uuid::now_v7(),
                    resource_type: (*t).to_owned(),
                    resource_id: *id,
                    subresource_type: sub.map(|s| s.0.to_owned()),
                    subresource_id: sub.map(|s| s.1),
                    action: (*action).to_owned(),
                    expires_at: None,
                })
                .collect(),
            computed_at: Utc::now(),
            valid_until: None,
        })
    }
}
