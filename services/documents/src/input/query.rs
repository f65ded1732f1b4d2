//! `GET /api/v1/documents/`: filters, full-text search and the cursor.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{CATEGORIES, RESOURCE_TYPES};

/// The query string of the list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Full-text search over name, description, tags and extracted text
    /// (web-search syntax: words, "phrases", -excluded, or); ranked.
    pub q: Option<String>,
    /// `MATTER` (or `CASE`), `CLIENT` or `GENERAL`.
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    /// `PLEADING`, `EVIDENCE`, `CONTRACT`, `CORRESPONDENCE` or `OTHER`.
    pub category: Option<String>,
    pub privileged: Option<bool>,
    /// The uploader of the current version.
    pub uploaded_by: Option<Uuid>,
    /// Documents changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `true`: only archived documents; default: only documents not archived.
    pub archived: Option<bool>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// Where a page ends: (updated_at, id) for lists, (rank, id) for searches.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Position {
    Updated(DateTime<Utc>, Uuid),
    Ranked(f32, Uuid),
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub q: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub category: Option<String>,
    pub privileged: Option<bool>,
    pub uploaded_by: Option<Uuid>,
    pub updated_since: Option<DateTime<Utc>>,
    pub archived: bool,
    pub after: Option<Position>,
    pub limit: i64,
}

const Q_MAX: usize = 200;

impl ListQuery {
    pub fn validate(self, cursors: &CursorCodec) -> Result<ListFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let q = self
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        if q.as_deref().is_some_and(|q| q.chars().count() > Q_MAX) {
            errors.add(
                "q",
                ErrorCode::InvalidFieldFormat,
                format!("must be at most {Q_MAX} characters"),
            );
        }
        let resource_type = self
            .resource_type
            .map(|t| match t.trim().to_ascii_uppercase() {
                c if c == "CASE" => "MATTER".to_owned(),
                c => c,
            });
        if let Some(t) = resource_type.as_deref() {
            errors.one_of("resource_type", t, &RESOURCE_TYPES);
        }
        let category = self.category.map(|c| c.trim().to_ascii_uppercase());
        if let Some(c) = category.as_deref() {
            errors.one_of("category", c, &CATEGORIES);
        }
        let page = PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        };
        let limit = match page.limit() {
            Ok(l) => l,
            Err(e) => {
                for f in e.fields() {
                    errors.add(
                        f,
                        ErrorCode::InvalidFieldFormat,
                        "must be between 1 and 100",
                    );
                }
                20
            }
        };
        let after = match self.cursor.as_deref() {
            None => None,
            Some(c) => match cursors.decode::<Position>(c) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add(
                        "cursor",
                        ErrorCode::InvalidFieldFormat,
                        "is not a cursor of this list",
                    );
                    None
                }
            },
        };
        // A cursor of a list does not continue a search, and the reverse.
        match (&after, &q) {
            (Some(Position::Ranked(..)), None) | (Some(Position::Updated(..)), Some(_)) => {
                errors.add(
                    "cursor",
                    ErrorCode::InvalidFieldFormat,
                    "belongs to another query",
                );
            }
            _ => {}
        }
        errors.into_result()?;
        Ok(ListFilter {
            q,
            resource_type,
            resource_id: self.resource_id,
            category,
            privileged: self.privileged,
            uploaded_by: self.uploaded_by,
            updated_since: self.updated_since,
            archived: self.archived.unwrap_or(false),
            after,
            limit,
        })
    }
}

/// `GET /{id}/events`: the page of the audit trail.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

impl EventsQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}
