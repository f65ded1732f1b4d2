//! Scope sets and the platform role names.

use std::collections::BTreeSet;

use lawos_core::{ApiError, ErrorCode};
use serde_json::json;

/// The platform roles (ARCHITECTURE §5).
pub mod roles {
    pub const SYSTEM_ADMIN: &str = "SYSTEM_ADMIN";
    pub const FIRM_ADMIN: &str = "FIRM_ADMIN";
    pub const LAWYER: &str = "LAWYER";
    pub const PARALEGAL: &str = "PARALEGAL";
    pub const STAFF: &str = "STAFF";
    pub const PARTNER_ATTORNEY: &str = "PARTNER_ATTORNEY";
    pub const CLIENT: &str = "CLIENT";
}

/// The scopes a token grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<String>);

impl ScopeSet {
    /// Parses a space-separated `scope` claim.
    pub fn parse(scope: &str) -> Self {
        Self(scope.split_whitespace().map(str::to_owned).collect())
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when `scope` is granted, else 403 `PERMISSION_DENIED` naming it.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.contains(scope) {
            Ok(())
        } else {
            Err(missing_scope(&[scope]))
        }
    }

    /// `Ok` when at least one of `scopes` is granted.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        if scopes.iter().any(|s| self.contains(s)) {
            Ok(())
        } else {
            Err(missing_scope(scopes))
        }
    }
}

impl<S: Into<String>> FromIterator<S> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}

fn missing_scope(scopes: &[&str]) -> ApiError {
    let message = match scopes {
        [one] => format!("The {one} scope is required"),
        many => format!("One of the scopes {} is required", many.join(", ")),
    };
    ApiError::new(ErrorCode::PermissionDenied, message)
        .with_details(json!({ "requiredScopes": scopes }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_requires() {
        let s = ScopeSet::parse("  matters:read   firms:create ");
        assert_eq!(s.len(), 2);
        assert!(s.require("firms:create").is_ok());
        let err = s.require("firms:delete").unwrap_err();
        assert_eq!(err.code, ErrorCode::PermissionDenied);
        assert!(err.message.contains("firms:delete"));
        assert_eq!(err.details.unwrap()["requiredScopes"][0], "firms:delete");
        assert!(s.require_any(&["x", "matters:read"]).is_ok());
        assert!(s.require_any(&["x", "y"]).is_err());
        assert!(ScopeSet::parse("").is_empty());
    }
}
