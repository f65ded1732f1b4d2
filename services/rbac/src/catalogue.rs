//! The platform catalogue, in one place: every permission scope, the built-in
//! roles with their default scopes and reach, the resource types and their
//! sub-resource types, and the default field policies.
//!
//! This module is the single source. The first migration seeds the platform
//! catalogue tables (`rbac.permissions`, `rbac.builtin_roles`,
//! `rbac.builtin_role_permissions`, `rbac.resource_types`,
//! `rbac.resource_subtypes`, `rbac.default_field_policies`) with exactly these
//! rows, rendered by [`seed_sql`]; the test `tests/catalogue.rs` reads the
//! migrated tables back and fails on any difference, so a change here needs a
//! new migration (render it with `seed_sql`) and cannot drift silently.
//!
//! Naming: the Backstage specification calls matters "cases". The catalogue
//! uses `matters:*` (API.md) and accepts `cases:*` on input as an alias
//! ([`canonical_scope`]); the resource type is `MATTER`, with `CASE` accepted
//! on input ([`canonical_resource_type`]).

use serde::Serialize;

/// How far a scope reaches inside the firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reach {
    /// Only matters the user is a member of or holds a grant on.
    Assigned,
    /// Firm-wide.
    All,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "ASSIGNED",
            Self::All => "ALL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ASSIGNED" => Some(Self::Assigned),
            "ALL" => Some(Self::All),
            _ => None,
        }
    }
}

pub const REACHES: [&str; 2] = ["ALL", "ASSIGNED"];

/// One permission scope.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub scope: &'static str,
    /// The module (service area) it belongs to.
    pub module: &'static str,
    /// Admin API (platform / firm administration) rather than User API.
    pub admin: bool,
    pub description: &'static str,
}

const fn admin(scope: &'static str, module: &'static str, description: &'static str) -> Permission {
    Permission {
        scope,
        module,
        admin: true,
        description,
    }
}

const fn user(scope: &'static str, module: &'static str, description: &'static str) -> Permission {
    Permission {
        scope,
        module,
        admin: false,
        description,
    }
}

/// Every scope: the Backstage §4.2.2 Admin and User API scopes (with `cases:*`
/// named `matters:*`), then one set per module of the platform.
pub const PERMISSIONS: [Permission; 55] = [
    // Backstage §4.2.2, Admin API.
    admin("firms:create", "tenants", "Create law firms"),
    admin("firms:read", "tenants", "Read every law firm"),
    admin("firms:update", "tenants", "Update law firms"),
    admin("users:create", "auth", "Provision users"),
    admin("users:read", "auth", "Read users"),
    admin("users:update", "auth", "Update users"),
    admin("users:delete", "auth", "Deactivate users"),
    admin(
        "access-grants:create",
        "rbac",
        "Create grants, roles, assignments and field policies",
    ),
    admin(
        "access-grants:read",
        "rbac",
        "Read grants, roles, assignments, field policies and capabilities",
    ),
    admin(
        "access-grants:revoke",
        "rbac",
        "Revoke grants, end assignments, delete roles and field policies",
    ),
    admin(
        "support-access:create",
        "auth",
        "Start support sessions and take locks",
    ),
    admin("support-access:read", "auth", "Read support sessions"),
    admin(
        "support-access:revoke",
        "auth",
        "End support sessions and release locks",
    ),
    // Backstage §4.2.2, User API (cases → matters).
    user("matters:create", "matters", "Open matters"),
    user("matters:read", "matters", "Read matters"),
    user(
        "matters:update",
        "matters",
        "Update matters, their members and stages",
    ),
    user("matters:delete", "matters", "Delete matters"),
    user("clients:create", "contacts", "Create clients"),
    user("clients:read", "contacts", "Read clients"),
    user("clients:update", "contacts", "Update clients"),
    user("clients:delete", "contacts", "Delete clients"),
    user("documents:create", "documents", "Upload documents"),
    user("documents:read", "documents", "Read documents"),
    user(
        "documents:update",
        "documents",
        "Update documents and add versions",
    ),
    user("documents:delete", "documents", "Delete documents"),
    user(
        "documents:privileged",
        "documents",
        "Read and mark documents privileged (attorney-client privilege, work product)",
    ),
    user("time-entries:create", "billing", "Record time"),
    user("time-entries:read", "billing", "Read time entries"),
    user("time-entries:update", "billing", "Edit time entries"),
    user(
        "time-entries:submit",
        "billing",
        "Submit time entries for approval",
    ),
    user("invoices:read", "billing", "Read invoices"),
    // Module sets beyond the Backstage list.
    user(
        "time-entries:approve",
        "billing",
        "Approve or reject submitted time entries",
    ),
    user("invoices:create", "billing", "Generate invoices"),
    user(
        "invoices:update",
        "billing",
        "Issue and void invoices, record payments and credit notes",
    ),
    user("tasks:create", "tasks", "Create tasks"),
    user("tasks:read", "tasks", "Read tasks"),
    user("tasks:update", "tasks", "Update, assign and complete tasks"),
    user("tasks:delete", "tasks", "Delete tasks"),
    user("appointments:create", "tasks", "Schedule appointments"),
    user("appointments:read", "tasks", "Read appointments"),
    user(
        "appointments:update",
        "tasks",
        "Update appointments and respond",
    ),
    user("appointments:delete", "tasks", "Cancel appointments"),
    user("channels:create", "channels", "Open channels"),
    user("channels:read", "channels", "Read channels"),
    user("channels:update", "channels", "Update and archive channels"),
    user("messages:create", "messages", "Send messages"),
    user("messages:read", "messages", "Read messages"),
    user("messages:delete", "messages", "Delete messages"),
    user("comments:create", "messages", "Comment on resources"),
    user("comments:read", "messages", "Read comments"),
    user("comments:update", "messages", "Edit comments"),
    user("comments:delete", "messages", "Delete comments"),
    user(
        "notifications:read",
        "notifications",
        "Read one's notifications",
    ),
    user(
        "notifications:update",
        "notifications",
        "Mark notifications read, set preferences",
    ),
    user("audit:read", "events", "Read audit trails"),
];

/// `cases:x` → `matters:x`; every other scope as given.
pub fn canonical_scope(scope: &str) -> String {
    match scope.strip_prefix("cases:") {
        Some(action) => format!("matters:{action}"),
        None => scope.to_owned(),
    }
}

pub fn permission(scope: &str) -> Option<&'static Permission> {
    PERMISSIONS.iter().find(|p| p.scope == scope)
}

/// A built-in role: its default scopes with their reach, and why.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    pub code: &'static str,
    pub description: &'static str,
    /// Why the role holds what it holds (Backstage §4.2.1 and its reading).
    pub reasoning: &'static str,
    pub reach: Reach,
    /// Which catalogue scopes it holds (with `reach`, unless `firm_wide` names them).
    pub holds: fn(&Permission) -> bool,
    /// Held scopes that reach the whole firm whatever `reach` says.
    pub firm_wide: &'static [&'static str],
}

impl BuiltinRole {
    pub fn scopes(&self) -> impl Iterator<Item = (&'static str, Reach)> + '_ {
        PERMISSIONS.iter().filter(|p| (self.holds)(p)).map(|p| {
            let reach = if self.firm_wide.contains(&p.scope) {
                Reach::All
            } else {
                self.reach
            };
            (p.scope, reach)
        })
    }
}

fn is_read(p: &Permission) -> bool {
    p.scope.ends_with(":read")
}

fn in_list(p: &Permission, list: &[&str]) -> bool {
    list.contains(&p.scope)
}

/// Billing management beyond the Backstage User API: API.md gives invoice
/// generation, issue, void, payments and approvals to the billing roles.
const BILLING_MANAGEMENT: [&str; 3] =
    ["time-entries:approve", "invoices:create", "invoices:update"];

/// Firm-level administration: users of the firm and its access control. Never
/// `firms:*` or `support-access:*`, which are platform-wide.
const FIRM_ADMINISTRATION: [&str; 7] = [
    "users:create",
    "users:read",
    "users:update",
    "users:delete",
    "access-grants:create",
    "access-grants:read",
    "access-grants:revoke",
];

const PARALEGAL_SCOPES: [&str; 22] = [
    "matters:read",
    "matters:update",
    "clients:read",
    "documents:create",
    "documents:read",
    "documents:update",
    "tasks:create",
    "tasks:read",
    "tasks:update",
    "appointments:create",
    "appointments:read",
    "appointments:update",
    "appointments:delete",
    "channels:read",
    "messages:create",
    "messages:read",
    "comments:create",
    "comments:read",
    "comments:update",
    "notifications:read",
    "notifications:update",
    "channels:create",
];

const STAFF_SCOPES: [&str; 25] = [
    "matters:read",
    "clients:read",
    "documents:create",
    "documents:read",
    "documents:update",
    "time-entries:create",
    "time-entries:read",
    "time-entries:update",
    "time-entries:submit",
    "time-entries:approve",
    "invoices:read",
    "invoices:create",
    "invoices:update",
    "tasks:read",
    "appointments:create",
    "appointments:read",
    "appointments:update",
    "appointments:delete",
    "channels:read",
    "messages:create",
    "messages:read",
    "comments:create",
    "comments:read",
    "notifications:read",
    "notifications:update",
];

/// STAFF scopes that reach the whole firm: billing runs across every matter.
const STAFF_FIRM_WIDE: [&str; 8] = [
    "time-entries:create",
    "time-entries:read",
    "time-entries:update",
    "time-entries:submit",
    "time-entries:approve",
    "invoices:read",
    "invoices:create",
    "invoices:update",
];

const PARTNER_ATTORNEY_SCOPES: [&str; 20] = [
    "matters:read",
    "matters:update",
    "clients:read",
    "documents:create",
    "documents:read",
    "documents:update",
    "documents:privileged",
    "time-entries:create",
    "time-entries:read",
    "time-entries:update",
    "time-entries:submit",
    "tasks:read",
    "tasks:update",
    "appointments:read",
    "channels:read",
    "messages:create",
    "messages:read",
    "comments:create",
    "comments:read",
    "notifications:read",
];

/// The built-in roles (ARCHITECTURE §5) against Backstage §4.2.1.
pub const BUILTIN_ROLES: [BuiltinRole; 7] = [
    BuiltinRole {
        code: "SYSTEM_ADMIN",
        description: "Platform administrator",
        reasoning: "Backstage §4.2.1: Admin API full, User API read-only. Every admin scope, \
                    and every :read scope of the User API, firm-wide.",
        reach: Reach::All,
        holds: |p| p.admin || is_read(p),
        firm_wide: &[],
    },
    BuiltinRole {
        code: "FIRM_ADMIN",
        description: "Administrator of one firm",
        reasoning: "Not in the Backstage table. ARCHITECTURE §5 lets a firm's administrator \
                    manage that firm: it mirrors SYSTEM_ADMIN inside one firm — the firm-level \
                    admin scopes (users, access grants; never firms:* or support-access:*, which \
                    are platform-wide) and the User API read-only, firm-wide, without \
                    documents:privileged (administering the firm does not open privileged \
                    material). A managing partner \
                    who practises also holds LAWYER.",
        reach: Reach::All,
        holds: |p| in_list(p, &FIRM_ADMINISTRATION) || (!p.admin && is_read(p)),
        firm_wide: &[],
    },
    BuiltinRole {
        code: "LAWYER",
        description: "Attorney with matter ownership",
        reasoning: "Backstage §4.2.1: User API full access, no Admin API. Every User API scope, \
                    firm-wide (ARCHITECTURE §5: only a DENY grant narrows it), except billing \
                    management (approving time, generating/issuing invoices), which API.md gives \
                    to the billing roles. documents:privileged included: attorneys hold the \
                    privilege and read privileged material.",
        reach: Reach::All,
        holds: |p| !p.admin && !in_list(p, &BILLING_MANAGEMENT),
        firm_wide: &[],
    },
    BuiltinRole {
        code: "PARALEGAL",
        description: "Legal assistant",
        reasoning: "Backstage §4.2.1: limited access, no billing. §1.2: assists with cases, \
                    manages documents, schedules appointments. No time entries or invoices, no \
                    deletes of matters, clients or documents, no audit. No documents:privileged: \
                    privileged material is opened to a paralegal by an attorney (a custom role \
                    holding the scope), not by default. Reach ASSIGNED: the \
                    Backstage grant example gives a paralegal one case explicitly, so a \
                    paralegal does not see every matter by default.",
        reach: Reach::Assigned,
        holds: |p| in_list(p, &PARALEGAL_SCOPES),
        firm_wide: &[],
    },
    BuiltinRole {
        code: "STAFF",
        description: "Support staff: billing and records",
        reasoning: "Backstage §4.2.1: limited access (billing, records); §1.1: time tracking, \
                    billing support, appointment scheduling, notifications. All billing scopes \
                    including billing management; matters, clients read-only; documents \
                    (records) without delete; scheduling. Reach ASSIGNED, like a paralegal: \
                    staff see the matters they are members of or granted (and those matters' \
                    clients, documents, tasks, appointments, messages), so privileged matter \
                    content is need-to-know; privileged documents stay hidden even there (no \
                    documents:privileged). Time entries and invoices reach the whole firm \
                    (STAFF_FIRM_WIDE): billing runs across every matter.",
        reach: Reach::Assigned,
        holds: |p| in_list(p, &STAFF_SCOPES),
        firm_wide: &STAFF_FIRM_WIDE,
    },
    BuiltinRole {
        code: "PARTNER_ATTORNEY",
        description: "External attorney of a partner firm",
        reasoning: "Schema overview, user types: case-specific collaboration access. Reach \
                    ASSIGNED only: works on the matters it is a member of or granted. Reads and \
                    updates those matters and their documents, privileged ones included \
                    (documents:privileged: co-counsel share the privilege on a common matter), \
                    records its own time \
                    (PARTNER_TIME_ENTRIES), collaborates; no deletes, no invoices, no clients \
                    beyond reading, no administration.",
        reach: Reach::Assigned,
        holds: |p| in_list(p, &PARTNER_ATTORNEY_SCOPES),
        firm_wide: &[],
    },
    BuiltinRole {
        code: "CLIENT",
        description: "Client portal user",
        reasoning: "Backstage §4.2.1: no Admin API, User API \"Future\" (portal only). No scopes \
                    until the client portal exists; grants can still give a client one \
                    resource.",
        reach: Reach::Assigned,
        holds: |_| false,
        firm_wide: &[],
    },
];

pub fn builtin_role(code: &str) -> Option<&'static BuiltinRole> {
    BUILTIN_ROLES.iter().find(|r| r.code == code)
}

/// A resource type grants and field policies may name.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    #[serde(rename = "type")]
    pub code: &'static str,
    pub description: &'static str,
    /// Sub-resource types reachable under it (`/resources/{type}/{id}/{subType}/{subId}`).
    pub subresources: &'static [&'static str],
}

pub const RESOURCE_TYPES: [ResourceType; 6] = [
    ResourceType {
        code: "MATTER",
        description: "A matter (the Backstage case); CASE is accepted as an alias",
        subresources: &["DOCUMENT", "TIME_ENTRY", "TASK", "APPOINTMENT"],
    },
    ResourceType {
        code: "CLIENT",
        description: "A client (customer)",
        subresources: &["DOCUMENT"],
    },
    ResourceType {
        code: "DOCUMENT",
        description: "A document",
        subresources: &[],
    },
    ResourceType {
        code: "TIME_ENTRY",
        description: "A time entry",
        subresources: &[],
    },
    ResourceType {
        code: "TASK",
        description: "A task",
        subresources: &[],
    },
    ResourceType {
        code: "APPOINTMENT",
        description: "An appointment",
        subresources: &[],
    },
];

/// `CASE` → `MATTER`; other names upper-cased. `None` when unknown.
pub fn canonical_resource_type(input: &str) -> Option<&'static str> {
    let upper = input.trim().to_ascii_uppercase();
    let name = if upper == "CASE" { "MATTER" } else { &upper };
    RESOURCE_TYPES
        .iter()
        .find(|t| t.code == name)
        .map(|t| t.code)
}

pub fn resource_type(code: &str) -> Option<&'static ResourceType> {
    RESOURCE_TYPES.iter().find(|t| t.code == code)
}

/// A field policy that applies in every firm until the firm sets its own for
/// the same resource type, field and role.
#[derive(Debug, Clone, Copy)]
pub struct DefaultFieldPolicy {
    pub resource_type: &'static str,
    pub field: &'static str,
    pub role: &'static str,
    pub read: bool,
    pub write: bool,
}

/// Backstage §4.2.4: a client's SSN is hidden from paralegals.
pub const DEFAULT_FIELD_POLICIES: [DefaultFieldPolicy; 1] = [DefaultFieldPolicy {
    resource_type: "CLIENT",
    field: "ssn",
    role: "PARALEGAL",
    read: false,
    write: false,
}];

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The INSERT statements that seed the catalogue tables with this module's rows.
pub fn seed_sql() -> String {
    let mut sql = String::new();
    sql.push_str("INSERT INTO permissions (scope, module, admin, description) VALUES\n");
    let rows: Vec<String> = PERMISSIONS
        .iter()
        .map(|p| {
            format!(
                "    ({}, {}, {}, {})",
                lit(p.scope),
                lit(p.module),
                p.admin,
                lit(p.description)
            )
        })
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(";\n\nINSERT INTO builtin_roles (code, description) VALUES\n");
    let rows: Vec<String> = BUILTIN_ROLES
        .iter()
        .map(|r| format!("    ({}, {})", lit(r.code), lit(r.description)))
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(";\n\nINSERT INTO builtin_role_permissions (role, scope, reach) VALUES\n");
    let rows: Vec<String> = BUILTIN_ROLES
        .iter()
        .flat_map(|r| {
            r.scopes().map(move |(scope, reach)| {
                format!(
                    "    ({}, {}, {})",
                    lit(r.code),
                    lit(scope),
                    lit(reach.as_str())
                )
            })
        })
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(";\n\nINSERT INTO resource_types (code, description) VALUES\n");
    let rows: Vec<String> = RESOURCE_TYPES
        .iter()
        .map(|t| format!("    ({}, {})", lit(t.code), lit(t.description)))
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(";\n\nINSERT INTO resource_subtypes (parent, child) VALUES\n");
    let rows: Vec<String> = RESOURCE_TYPES
        .iter()
        .flat_map(|t| {
            t.subresources
                .iter()
                .map(move |s| format!("    ({}, {})", lit(t.code), lit(s)))
        })
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(
        ";\n\nINSERT INTO default_field_policies (resource_type, field, role, can_read, can_write) VALUES\n",
    );
    let rows: Vec<String> = DEFAULT_FIELD_POLICIES
        .iter()
        .map(|p| {
            format!(
                "    ({}, {}, {}, {}, {})",
                lit(p.resource_type),
                lit(p.field),
                lit(p.role),
                p.read,
                p.write
            )
        })
        .collect();
    sql.push_str(&rows.join(",\n"));
    sql.push_str(";\n");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn scopes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for p in PERMISSIONS {
            assert!(seen.insert(p.scope), "duplicate {}", p.scope);
            let (resource, action) = p.scope.split_once(':').unwrap();
            assert!(!resource.is_empty() && !action.is_empty());
        }
    }

    #[test]
    fn role_lists_name_only_catalogue_scopes() {
        for list in [
            &BILLING_MANAGEMENT[..],
            &FIRM_ADMINISTRATION[..],
            &PARALEGAL_SCOPES[..],
            &STAFF_SCOPES[..],
            &STAFF_FIRM_WIDE[..],
            &PARTNER_ATTORNEY_SCOPES[..],
        ] {
            for scope in list {
                assert!(permission(scope).is_some(), "{scope} not in the catalogue");
            }
        }
    }

    #[test]
    fn firm_wide_scopes_are_held() {
        for role in BUILTIN_ROLES {
            for scope in role.firm_wide {
                let p = permission(scope).unwrap();
                assert!(
                    (role.holds)(p),
                    "{} lists {scope} firm-wide but does not hold it",
                    role.code
                );
            }
        }
    }

    #[test]
    fn aliases() {
        assert_eq!(canonical_scope("cases:read"), "matters:read");
        assert_eq!(canonical_scope("documents:read"), "documents:read");
        assert_eq!(canonical_resource_type("case"), Some("MATTER"));
        assert_eq!(canonical_resource_type("CLIENT"), Some("CLIENT"));
        assert_eq!(canonical_resource_type("PLANET"), None);
    }

    #[test]
    fn subresources_are_resource_types() {
        for t in RESOURCE_TYPES {
            for s in t.subresources {
                assert!(resource_type(s).is_some());
            }
        }
    }

    /// Renders the seed (`cargo test -p lawos-svc-rbac print_seed -- --ignored --nocapture`).
    #[test]
    #[ignore = "prints the seed SQL for a new migration"]
    #[allow(clippy::print_stdout)]
    fn print_seed() {
        println!("{}", seed_sql());
    }
}
