//! Who may do what with a document, decided with `lawos-authz` in the order
//! authenticated → firm (the `Tenant` extractor) → scope → reach / grant / wall
//! → privilege. A document inherits its access from its parent:
//!
//! - a matter's document is `Resource::new("DOCUMENT", id).under("MATTER", m)`:
//!   the matter's reach (firm-wide, or assigned: member or grant), its walls,
//!   and the sub-resource grants `MATTER/{m}/DOCUMENT/{id}` (a READ/WRITE/DELETE
//!   grant opens that one document, a DENY hides it);
//! - a client's document is `Resource::new("DOCUMENT", id).under("CLIENT", c)`:
//!   firm-wide reach, or a grant on the client (or on the document under it);
//! - a general document is the firm's: anyone holding the scope (any reach),
//!   unless a DENY grant on `DOCUMENT/{id}` hides it; without the scope, a
//!   grant on `DOCUMENT/{id}` gives its action.
//!
//! `privileged` documents are visible only to holders of
//! `documents:privileged` (a scope roles hold explicitly): to anyone else they
//! do not exist (404, absent from lists and search). Lists and search apply the
//! same rules in SQL ([`ListReach::push_sql`]).

use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;
use diesel::sql_types::{Array, Uuid as SqlUuid};
use lawos_authz::{Access, Decision, Reach, Resource};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::model::Document;
use crate::state::DocumentsState;

pub const DOCUMENTS_READ: &str = "documents:read";
pub const DOCUMENTS_CREATE: &str = "documents:create";
pub const DOCUMENTS_UPDATE: &str = "documents:update";
pub const DOCUMENTS_DELETE: &str = "documents:delete";
/// Reading (and marking) privileged documents.
pub const DOCUMENTS_PRIVILEGED: &str = "documents:privileged";
pub const DOCUMENT: &str = "DOCUMENT";

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Document", id)
}

/// The resource a decision about a document (existing or to be) is made on.
pub fn resource(id: Uuid, resource_type: &str, resource_id: Option<Uuid>) -> Resource {
    let doc = Resource::new(DOCUMENT, id);
    match (resource_type, resource_id) {
        ("MATTER", Some(m)) => doc.under(lawos_authz::MATTER, m),
        ("CLIENT", Some(c)) => doc.under(lawos_authz::CLIENT, c),
        _ => doc,
    }
}

/// Whether the caller may see privileged documents.
pub fn sees_privileged(access: &Access) -> bool {
    access
        .capabilities()
        .is_none_or(|caps| caps.reach(DOCUMENTS_PRIVILEGED).is_some())
}

/// The decision for `scope` on a document of `resource_type`/`resource_id`.
pub fn decide(access: &Access, scope: &str, target: &Resource, general: bool) -> Decision {
    let Some(caps) = access.capabilities() else {
        return Decision::Allowed;
    };
    if !general {
        // A DENY on the document itself hides it under any parent.
        if caps.walled(&Resource::new(DOCUMENT, target.id)) {
            return Decision::Hidden;
        }
        return caps.decide(scope, target);
    }
    // A general document: the scope at any reach, unless walled; without the
    // scope, a grant on it.
    if caps.walled(target) {
        return Decision::Hidden;
    }
    if caps.reach(scope).is_some() {
        return Decision::Allowed;
    }
    match caps.decide(scope, target) {
        Decision::Allowed => Decision::Allowed,
        _ if caps.reach(&lawos_authz::read_scope_of(scope)).is_some() => Decision::Forbidden,
        other => other,
    }
}

fn answer(decision: Decision, scope: &str, id: Uuid) -> Result<(), ApiError> {
    match decision {
        Decision::Allowed => Ok(()),
        Decision::Forbidden => Err(ApiError::permission_denied(format!(
            "This action requires the {scope} scope"
        ))
        .with_details(serde_json::json!({ "requiredScopes": [scope] }))),
        Decision::Hidden => Err(not_found(id)),
    }
}

/// The caller's access in the firm (capabilities; no decision yet).
pub async fn caller(state: &DocumentsState, tenant: &Tenant) -> Result<Access, ApiError> {
    state.authz.access(&tenant.principal, tenant.firm_id).await
}

/// `scope` on an existing document: `Ok`, 403 on one the caller may read, or 404
/// (out of reach, walled, privileged without the scope, deleted).
pub fn require(access: &Access, scope: &str, doc: &Document) -> Result<(), ApiError> {
    if doc.deleted_at.is_some() || (doc.privileged && !sees_privileged(access)) {
        return Err(not_found(doc.id));
    }
    let target = resource(doc.id, &doc.resource_type, doc.resource_id);
    answer(
        decide(access, scope, &target, doc.resource_type == "GENERAL"),
        scope,
        doc.id,
    )
}

/// `documents:create` under a parent: `Ok`, 403, or 422 naming `resourceId`
/// when the parent is out of the caller's reach (as if it did not exist).
pub fn require_create(
    access: &Access,
    id: Uuid,
    resource_type: &str,
    resource_id: Option<Uuid>,
) -> Result<(), ApiError> {
    access.require_firm(DOCUMENTS_CREATE)?;
    let target = resource(id, resource_type, resource_id);
    match decide(
        access,
        DOCUMENTS_CREATE,
        &target,
        resource_type == "GENERAL",
    ) {
        Decision::Allowed => Ok(()),
        Decision::Forbidden => answer(Decision::Forbidden, DOCUMENTS_CREATE, id),
        Decision::Hidden => Err(lawos_core::validation::FieldErrors::single(
            "resourceId",
            lawos_core::ErrorCode::ResourceNotFound,
            format!(
                "no {} {} in your reach",
                resource_type.to_lowercase(),
                resource_id.unwrap_or_default()
            ),
        )
        .into()),
    }
}

/// A statement being built (the list and search): text and binds, each bind
/// written as its `$n` placeholder where it is added.
pub struct Sql {
    query: BoxedSqlQuery<'static, Pg, SqlQuery>,
    binds: usize,
}

impl Sql {
    pub fn new(head: &str) -> Self {
        Self {
            query: diesel::sql_query(head.to_owned()).into_boxed(),
            binds: 0,
        }
    }

    pub fn sql(mut self, text: impl AsRef<str>) -> Self {
        self.query = self.query.sql(text.as_ref());
        self
    }

    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'static,
        ST: Send + 'static,
    {
        self.binds += 1;
        self.query = self
            .query
            .sql(format!("${}", self.binds))
            .bind::<ST, V>(value);
        self
    }

    pub fn into_query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        self.query
    }
}

/// What a list under `documents:read` may show, as SQL over `documents d`.
#[derive(Debug, Clone, Default)]
pub struct ListReach {
    /// A service: everything.
    everything: bool,
    matters_all: bool,
    /// Firm-wide: the walled matters; assigned: the reachable ones.
    matter_ids: Vec<Uuid>,
    clients_all: bool,
    /// Firm-wide: the walled clients; assigned: the granted ones.
    client_ids: Vec<Uuid>,
    /// Sub-resource READ/WRITE/DELETE grants: (parent, document) pairs.
    granted_parents: Vec<Uuid>,
    granted_docs: Vec<Uuid>,
    /// Documents walled by a DENY on themselves (under their parent or alone).
    denied_docs: Vec<Uuid>,
    privileged: bool,
}

impl ListReach {
    /// The reach of `documents:read` for `access` (403 without the scope).
    pub fn of(access: &Access) -> Result<Self, ApiError> {
        access.require_firm(DOCUMENTS_READ)?;
        let Some(caps) = access.capabilities() else {
            return Ok(Self {
                everything: true,
                privileged: true,
                ..Self::default()
            });
        };
        let reach = caps.reach(DOCUMENTS_READ);
        let all = reach == Some(Reach::All);
        let grants = &caps.doc.grants;
        let active = |action: &str| action != "DENY";
        let mut out = Self {
            matters_all: all,
            clients_all: all,
            privileged: sees_privileged(access),
            ..Self::default()
        };
        out.matter_ids = if all {
            caps.doc.denied_matter_ids.clone()
        } else {
            let mut ids: Vec<Uuid> = caps.assigned_matters().iter().copied().collect();
            ids.sort_unstable();
            ids
        };
        for g in grants {
            match (g.resource_type.as_str(), g.subresource_type.as_deref()) {
                ("CLIENT", None) if all && !active(&g.action) => out.client_ids.push(g.resource_id),
                ("CLIENT", None) if !all && active(&g.action) => out.client_ids.push(g.resource_id),
                ("MATTER" | "CLIENT", Some(DOCUMENT)) => {
                    let Some(doc) = g.subresource_id else {
                        continue;
                    };
                    if active(&g.action) {
                        out.granted_parents.push(g.resource_id);
                        out.granted_docs.push(doc);
                    } else {
                        out.denied_docs.push(doc);
                    }
                }
                (DOCUMENT, None) if !active(&g.action) => out.denied_docs.push(g.resource_id),
                _ => {}
            }
        }
        // A DENY on a client hides its documents even with an assigned grant.
        if !all {
            let walled: Vec<Uuid> = grants
                .iter()
                .filter(|g| {
                    g.resource_type == "CLIENT"
                        && g.subresource_type.is_none()
                        && !active(&g.action)
                })
                .map(|g| g.resource_id)
                .collect();
            out.client_ids.retain(|c| !walled.contains(c));
            out.denied_docs.extend(
                grants
                    .iter()
                    .filter(|g| g.subresource_type.as_deref() == Some(DOCUMENT))
                    .filter(|g| {
                        walled.contains(&g.resource_id)
                            || caps.doc.denied_matter_ids.contains(&g.resource_id)
                    })
                    .filter_map(|g| g.subresource_id),
            );
        } else {
            // Granted sub-resources under walled parents stay hidden.
            let walled_parent = |p: &Uuid| out.matter_ids.contains(p) || out.client_ids.contains(p);
            let pairs: Vec<(Uuid, Uuid)> = out
                .granted_parents
                .iter()
                .copied()
                .zip(out.granted_docs.iter().copied())
                .filter(|(p, _)| !walled_parent(p))
                .collect();
            out.granted_parents = pairs.iter().map(|p| p.0).collect();
            out.granted_docs = pairs.iter().map(|p| p.1).collect();
        }
        Ok(out)
    }

    /// Appends ` AND (<visible>)` over the alias `d` to `query`.
    pub fn push_sql(&self, query: Sql) -> Sql {
        let mut q = query;
        if !self.privileged {
            q = q.sql(" AND d.privileged = false");
        }
        if self.everything {
            return q;
        }
        // Matter documents: the matter filter, or a grant on the document; never walled.
        let matter_op = if self.matters_all {
            "<> ALL("
        } else {
            "= ANY("
        };
        q = q
            .sql(" AND ((d.resource_type = 'MATTER' AND (d.resource_id ")
            .sql(matter_op)
            .bind::<Array<SqlUuid>, _>(self.matter_ids.clone())
            .sql(") OR EXISTS (SELECT 1 FROM unnest(")
            .bind::<Array<SqlUuid>, _>(self.granted_parents.clone())
            .sql(", ")
            .bind::<Array<SqlUuid>, _>(self.granted_docs.clone())
            .sql(") g(p, doc) WHERE g.p = d.resource_id AND g.doc = d.id))");
        let client_op = if self.clients_all {
            "<> ALL("
        } else {
            "= ANY("
        };
        q = q
            .sql(") OR (d.resource_type = 'CLIENT' AND (d.resource_id ")
            .sql(client_op)
            .bind::<Array<SqlUuid>, _>(self.client_ids.clone())
            .sql(") OR EXISTS (SELECT 1 FROM unnest(")
            .bind::<Array<SqlUuid>, _>(self.granted_parents.clone())
            .sql(", ")
            .bind::<Array<SqlUuid>, _>(self.granted_docs.clone())
            .sql(") g(p, doc) WHERE g.p = d.resource_id AND g.doc = d.id))")
            .sql(") OR d.resource_type = 'GENERAL') AND d.id <> ALL(")
            .bind::<Array<SqlUuid>, _>(self.denied_docs.clone())
            .sql(")");
        q
    }
}
