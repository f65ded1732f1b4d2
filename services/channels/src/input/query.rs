//! `GET /api/v1/channels/` parameters and the plain page parameters of the
//! other lists.
//!
//! Filters: `context_type` (MATTER / CONTACT / INTERNAL), `context_id`, `kind`,
//! `participant=me` (channels the caller takes part in), `archived` (`false`,
//! the default: live channels only; `true`: archived ones only). Order: latest
//! activity first; cursors are keyset positions (activity time, id).

use chrono::{DateTime, Utc};
use lawos_core::page::{DEFAULT_LIMIT, MAX_LIMIT};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::code;
use crate::model::{CONTEXT_TYPES, KINDS};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `MATTER`, `CONTACT` or `INTERNAL`.
    pub context_type: Option<String>,
    /// The matter or contact the channels are about.
    pub context_id: Option<Uuid>,
    /// `INTERNAL`, `SMS`, `EMAIL` or `PORTAL`.
    pub kind: Option<String>,
    /// `me`: only channels the caller takes part in.
    pub participant: Option<String>,
    /// `true`: archived channels only; `false` (default): live ones only.
    pub archived: Option<bool>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
}

/// Where a page ends: the last row's activity time and id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
    pub kind: Option<String>,
    /// Only channels this user takes part in.
    pub participant: Option<Uuid>,
    pub archived: bool,
    pub after: Option<Position>,
    pub limit: i64,
}

fn check_limit(errors: &mut FieldErrors, limit: Option<i64>) -> i64 {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add(
            "limit",
            ErrorCode::InvalidFieldFormat,
            "must be between 1 and 100",
        );
    }
    limit
}

impl ListQuery {
    /// Validates the parameters; `me` is the caller's user id (none for a service).
    pub fn validate(self, cursors: &CursorCodec, me: Option<Uuid>) -> Result<ListFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let context_type = code(self.context_type.as_deref());
        if let Some(t) = &context_type {
            errors.one_of("context_type", t, &CONTEXT_TYPES);
        }
        let kind = code(self.kind.as_deref());
        if let Some(k) = &kind {
            errors.one_of("kind", k, &KINDS);
        }
        let participant = match self.participant.as_deref() {
            None => None,
            Some("me") if me.is_some() => me,
            Some("me") => {
                errors.add(
                    "participant",
                    ErrorCode::InvalidFieldFormat,
                    "a service token has no me",
                );
                None
            }
            Some(other) => {
                errors.one_of("participant", other, &["me"]);
                None
            }
        };
        let limit = check_limit(&mut errors, self.limit);
        errors.into_result()?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| cursors.decode::<Position>(c))
            .transpose()?;
        Ok(ListFilter {
            context_type,
            context_id: self.context_id,
            kind,
            participant,
            archived: self.archived.unwrap_or(false),
            after,
            limit,
        })
    }
}

/// `cursor` and `limit` of a plain list (participants, events, a thread).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The parameters, the limit checked (422 naming `limit`).
    pub fn params(&self) -> Result<PageParams, ApiError> {
        let mut errors = FieldErrors::new();
        check_limit(&mut errors, self.limit);
        errors.into_result()?;
        Ok(PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        })
    }
}
