//! `GET /api/v1/matters/` query parameters: filters, sort and cursor.
//!
//! Filters: `stage` (one or several, comma-separated, any case; without it
//! archived matters are left out), `client_id`, `member=me` (matters the caller
//! is an active member of), `practice_area` (exact, case-insensitive), `q`
//! (title or number contains, case-insensitive), `updated_since` (RFC 3339),
//! `contact_id` (matters where that contact is a party, in any role).
//! Sort: `-created_at` (default), `created_at`, `-updated_at`, `updated_at`,
//! `matter_number`, `-matter_number`. Cursors are keyset positions (sort key and
//! id), so rows inserted while paging never repeat or shift a page.

use chrono::{DateTime, Utc};
use lawos_core::page::{DEFAULT_LIMIT, MAX_LIMIT};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::Matter;
use crate::stage::{STAGES, Stage};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub client_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub member: Option<String>,
    pub practice_area: Option<String>,
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    UpdatedAsc,
    NumberAsc,
    NumberDesc,
}

const SORTS: [&str; 6] = [
    "-created_at",
    "created_at",
    "-updated_at",
    "updated_at",
    "matter_number",
    "-matter_number",
];

impl Sort {
    fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "-created_at" => Self::CreatedDesc,
            "created_at" => Self::CreatedAsc,
            "-updated_at" => Self::UpdatedDesc,
            "updated_at" => Self::UpdatedAsc,
            "matter_number" => Self::NumberAsc,
            "-matter_number" => Self::NumberDesc,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::CreatedDesc => "-created_at",
            Self::CreatedAsc => "created_at",
            Self::UpdatedDesc => "-updated_at",
            Self::UpdatedAsc => "updated_at",
            Self::NumberAsc => "matter_number",
            Self::NumberDesc => "-matter_number",
        }
    }
}

/// Where a page ends: the sort it belongs to, the row's sort key and id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Position {
    pub sort: String,
    pub at: Option<DateTime<Utc>>,
    pub number: Option<String>,
    pub id: Uuid,
}

impl Position {
    pub fn of(sort: Sort, m: &Matter) -> Self {
        let (at, number) = match sort {
            Sort::CreatedDesc | Sort::CreatedAsc => (Some(m.created_at), None),
            Sort::UpdatedDesc | Sort::UpdatedAsc => (Some(m.updated_at), None),
            Sort::NumberAsc | Sort::NumberDesc => (None, Some(m.matter_number.clone())),
        };
        Self {
            sort: sort.name().to_owned(),
            at,
            number,
            id: m.id,
        }
    }
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub stages: Option<Vec<String>>,
    pub client_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub member: Option<Uuid>,
    pub practice_area: Option<String>,
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub after: Option<Position>,
    pub limit: i64,
}

impl ListFilter {
    /// Whether nothing but the stage narrows the list (sort and cursor aside).
    pub fn narrows_only_by_stage(&self) -> bool {
        self.client_id.is_none()
            && self.contact_id.is_none()
            && self.member.is_none()
            && self.practice_area.is_none()
            && self.q.is_none()
            && self.updated_since.is_none()
    }

    /// The stages the list shows: those asked for, else every one but ARCHIVED.
    pub fn listed_stages(&self) -> Vec<String> {
        match &self.stages {
            Some(stages) => stages.clone(),
            None => STAGES
                .iter()
                .filter(|s| **s != Stage::Archived.as_str())
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

impl ListQuery {
    /// Validates the parameters; `me` is the caller's user id (none for a service).
    pub fn validate(self, cursors: &CursorCodec, me: Option<Uuid>) -> Result<ListFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let stages = self.stage.as_deref().map(|list| {
            list.split(',')
                .filter_map(|s| match Stage::parse(s) {
                    Some(stage) => Some(stage.as_str().to_owned()),
                    None => {
                        errors.one_of("stage", s, &STAGES);
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        let member = match self.member.as_deref() {
            None => None,
            Some("me") if me.is_some() => me,
            Some("me") => {
                errors.add(
                    "member",
                    ErrorCode::InvalidFieldFormat,
                    "a service token has no me",
                );
                None
            }
            Some(other) => {
                errors.one_of("member", other, &["me"]);
                None
            }
        };
        let sort = match self.sort.as_deref() {
            None => Sort::CreatedDesc,
            Some(s) => Sort::parse(s).unwrap_or_else(|| {
                errors.one_of("sort", s, &SORTS);
                Sort::CreatedDesc
            }),
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.add(
                "limit",
                ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            );
        }
        errors.into_result()?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| cursors.decode::<Position>(c))
            .transpose()?;
        if after.as_ref().is_some_and(|p| p.sort != sort.name()) {
            return Err(FieldErrors::single(
                "cursor",
                ErrorCode::InvalidFieldFormat,
                "the cursor belongs to another sort order",
            )
            .into());
        }
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ListFilter {
            stages,
            client_id: self.client_id,
            contact_id: self.contact_id,
            member,
            practice_area: text(self.practice_area),
            q: text(self.q),
            updated_since: self.updated_since,
            sort,
            after,
            limit,
        })
    }
}

/// Backslash, `%` and `_` taken literally in an ILIKE pattern.
pub fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// "Contains `q`", for ILIKE.
pub fn contains_pattern(q: &str) -> String {
    format!("%{}%", escape_like(q))
}
