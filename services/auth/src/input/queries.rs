//! Query strings of the list endpoints.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::roles::FIRM_ROLES;
use crate::storage::directory::MemberFilter;

const MAX_Q: usize = 200;

/// `?q=&role=&cursor=&limit=` of the member and firm-user lists.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    pub q: Option<String>,
    pub role: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn check_q(errors: &mut FieldErrors, q: Option<&str>) -> Option<String> {
    let q = q.map(str::trim).filter(|q| !q.is_empty())?;
    if q.chars().count() > MAX_Q {
        errors.add(
            "q",
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {MAX_Q} characters"),
        );
    }
    Some(q.to_owned())
}

impl MemberQuery {
    /// The filter and page, or 422 naming every bad parameter.
    pub fn validate(self, active_only: bool) -> Result<(MemberFilter, PageParams, i64), ApiError> {
        let mut errors = FieldErrors::new();
        let q = check_q(&mut errors, self.q.as_deref());
        let role = self
            .role
            .map(|r| r.trim().to_uppercase())
            .filter(|r| !r.is_empty());
        if let Some(role) = &role {
            errors.one_of("role", role, &FIRM_ROLES);
        }
        let page = PageParams {
            cursor: self.cursor,
            limit: self.limit,
        };
        let limit = page.limit().unwrap_or_else(|_| {
            errors.add(
                "limit",
                ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            );
            0
        });
        errors.into_result()?;
        let filter = MemberFilter {
            q,
            role,
            active_only,
        };
        Ok((filter, page, limit))
    }
}

/// `GET /api/v1/auth/users/search?q=&cursor=&limit=`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl SearchQuery {
    /// The search text (required, at least 2 characters), the page and its size.
    pub fn validate(self) -> Result<(String, PageParams, i64), ApiError> {
        let mut errors = FieldErrors::new();
        let q = check_q(&mut errors, self.q.as_deref());
        match &q {
            None => errors.missing("q"),
            Some(q) if q.chars().count() < 2 => errors.add(
                "q",
                ErrorCode::InvalidFieldFormat,
                "must be at least 2 characters",
            ),
            Some(_) => {}
        }
        let page = PageParams {
            cursor: self.cursor,
            limit: self.limit,
        };
        let limit = page.limit().unwrap_or_else(|_| {
            errors.add(
                "limit",
                ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            );
            0
        });
        errors.into_result()?;
        Ok((q.unwrap_or_default(), page, limit))
    }
}
