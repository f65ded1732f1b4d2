//! `GET /api/v1/notifications/` parameters.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::kind_of;
use crate::storage::notifications::ListFilter;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// Only this notification type (see `GET /api/v1/notifications/types`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct Position {
    pub id: Uuid,
}

pub struct ValidList {
    pub filter: ListFilter,
    pub limit: i64,
}

impl ListQuery {
    pub fn validate(self, cursors: &CursorCodec) -> Result<ValidList, ApiError> {
        let mut errors = FieldErrors::new();
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            errors.add(
                "limit",
                ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            );
        }
        if let Some(kind) = &self.kind
            && kind_of(kind).is_none()
        {
            errors.add(
                "type",
                ErrorCode::InvalidEnumValue,
                "is not a notification type",
            );
        }
        let after = match self
            .cursor
            .as_deref()
            .map(|c| cursors.decode::<Position>(c))
        {
            Some(Ok(p)) => Some(p.id),
            Some(Err(_)) => {
                errors.add(
                    "cursor",
                    ErrorCode::InvalidFieldFormat,
                    "is not a cursor of this list",
                );
                None
            }
            None => None,
        };
        errors.into_result()?;
        Ok(ValidList {
            filter: ListFilter {
                unread: self.unread.unwrap_or(false),
                kind: self.kind,
                after,
            },
            limit,
        })
    }
}
