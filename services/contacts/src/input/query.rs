//! Query parameters of the list routes (snake_case, unknown ones refused).

use lawos_core::validation::FieldErrors;
use lawos_core::{ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::Deserialize;

/// `GET /api/v1/contacts/?search_channels=&archived=&kind=&cursor=&limit=`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Matched across e-mail addresses, phone numbers (any format) and names
    /// (trigram similarity); results ordered by score.
    pub search_channels: Option<String>,
    /// `false` (default): active contacts; `true`: archived ones; `any`: both.
    pub archived: Option<String>,
    /// `PERSON` or `ORGANIZATION`.
    pub kind: Option<String>,
}

/// Which contacts a list shows by archive state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    Active,
    Archived,
    Any,
}

impl Archived {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "false",
            Self::Archived => "true",
            Self::Any => "any",
        }
    }
}

/// The validated filters.
#[derive(Debug, Clone)]
pub struct ContactFilter {
    pub search: Option<String>,
    pub archived: Archived,
    pub kind: Option<String>,
}

impl ContactQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }

    pub fn filter(&self) -> Result<ContactFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let archived = match self.archived.as_deref() {
            None | Some("false") => Archived::Active,
            Some("true") => Archived::Archived,
            Some("any") => Archived::Any,
            Some(_) => {
                errors.add(
                    "archived",
                    ErrorCode::InvalidEnumValue,
                    "must be true, false or any",
                );
                Archived::Active
            }
        };
        let kind = self.kind.as_deref().map(str::to_ascii_uppercase);
        if let Some(k) = &kind {
            errors.one_of("kind", k, &crate::model::CONTACT_KINDS);
        }
        let search = self
            .search_channels
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if search.is_some_and(|s| s.chars().count() > 200) {
            errors.add(
                "search_channels",
                ErrorCode::InvalidFieldFormat,
                "must be at most 200 characters",
            );
        }
        if let Err(e) = self.page().limit() {
            for field in e.fields() {
                errors.add(
                    field,
                    ErrorCode::InvalidFieldFormat,
                    "must be between 1 and 100",
                );
            }
        }
        if errors.is_empty() {
            Ok(ContactFilter {
                search: search.map(str::to_owned),
                archived,
                kind,
            })
        } else {
            Err(errors)
        }
    }
}
