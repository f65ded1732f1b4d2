//! Roles and the scopes they carry in platform access tokens.
//!
//! INTERIM: until the rbac service exists, the token issuer maps a role to
//! scopes with this small table. rbac's capabilities (scopes with reach, grants,
//! field policies) replace it: then tokens carry the role and services ask rbac.
//! Only platform administration scopes are granted here; firm roles get none of
//! them (their firm-level rights are decided by each service from the role).

pub const SYSTEM_ADMIN: &str = "SYSTEM_ADMIN";

/// The firm roles a profile can hold (ARCHITECTURE §5; SYSTEM_ADMIN is a platform role).
pub const FIRM_ROLES: [&str; 6] = [
    "FIRM_ADMIN",
    "LAWYER",
    "PARALEGAL",
    "STAFF",
    "PARTNER_ATTORNEY",
    "CLIENT",
];

/// SYSTEM_ADMIN: `firms:*`, `users:*`, `support-access:*`, `access-grants:*`,
/// and the audit log of any firm it names (`audit:read`, `audit:verify`): the
/// platform operator verifies a firm's chain.
pub const SYSTEM_ADMIN_SCOPES: [&str; 15] = [
    "firms:create",
    "firms:read",
    "firms:update",
    "users:create",
    "users:read",
    "users:update",
    "users:delete",
    "support-access:create",
    "support-access:read",
    "support-access:revoke",
    "access-grants:create",
    "access-grants:read",
    "access-grants:revoke",
    "audit:read",
    "audit:verify",
];

/// The roles claim of a user: their platform role, then their role in the firm.
pub fn roles(platform_role: Option<&str>, firm_role: Option<&str>) -> Vec<String> {
    platform_role
        .into_iter()
        .chain(firm_role)
        .map(str::to_owned)
        .collect()
}

/// The scopes `roles` carry (see the module note: rbac replaces this table).
pub fn scopes_for(roles: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    if roles.iter().any(|r| r == SYSTEM_ADMIN) {
        scopes.extend(SYSTEM_ADMIN_SCOPES.iter().map(|s| (*s).to_owned()));
    }
    scopes
}

/// `requested` (space-separated) narrowed to `allowed`: `None` when a requested
/// scope is not allowed (`invalid_scope`); everything allowed when none is requested.
pub fn narrow(requested: Option<&str>, allowed: &[String]) -> Option<Vec<String>> {
    match requested.map(str::split_whitespace) {
        None => Some(allowed.to_vec()),
        Some(words) => {
            let mut granted: Vec<String> = Vec::new();
            for scope in words {
                if !allowed.iter().any(|a| a == scope) {
                    return None;
                }
                if !granted.iter().any(|g| g == scope) {
                    granted.push(scope.to_owned());
                }
            }
            Some(granted)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_system_admins_get_admin_scopes() {
        let admin = scopes_for(&roles(Some(SYSTEM_ADMIN), None));
        assert!(admin.contains(&"firms:create".to_owned()));
        assert!(admin.contains(&"support-access:revoke".to_owned()));
        assert!(admin.contains(&"audit:verify".to_owned()));
        for role in FIRM_ROLES {
            assert!(scopes_for(&roles(None, Some(role))).is_empty(), "{role}");
        }
    }

    #[test]
    fn narrows_requested_scopes() {
        let allowed = vec!["a:b".to_owned(), "c:d".to_owned()];
        assert_eq!(narrow(None, &allowed), Some(allowed.clone()));
        assert_eq!(
            narrow(Some("c:d c:d"), &allowed),
            Some(vec!["c:d".to_owned()])
        );
        assert_eq!(narrow(Some("a:b x:y"), &allowed), None);
    }
}
