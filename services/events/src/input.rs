//! Query parameters (snake_case), validated field by field.

use chrono::{DateTime, Utc};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use serde::Deserialize;
use uuid::Uuid;

use crate::storage::Filter;

/// `GET /api/v1/events/?entity_type=&entity_id=&event_type=&actor=&since=&until=`.
/// `since` (inclusive) and `until` (exclusive) bound `occurredAt` (RFC 3339).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

/// `GET /api/v1/events/entities/{type}/{id}?related=true`: the entity's own
/// events and those filed under it (the envelope's `context`).
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    pub related: Option<bool>,
}

fn uuid_field(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<Uuid> {
    let value = value?;
    let parsed = value.parse().ok();
    if parsed.is_none() {
        errors.add(field, ErrorCode::InvalidFieldFormat, "must be a uuid");
    }
    parsed
}

fn time_field(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<DateTime<Utc>> {
    let value = value?;
    let parsed = DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc));
    if parsed.is_none() {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be an RFC 3339 timestamp, e.g. 2026-01-31T00:00:00Z",
        );
    }
    parsed
}

fn text_field(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    let value = value?;
    if value.is_empty() || value.len() > 100 {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be 1–100 characters",
        );
    }
    Some(value)
}

impl ListQuery {
    pub fn validate(self) -> Result<Filter, ApiError> {
        let mut errors = FieldErrors::new();
        let entity_id = uuid_field(&mut errors, "entity_id", self.entity_id.as_deref());
        let actor = uuid_field(&mut errors, "actor", self.actor.as_deref());
        let since = time_field(&mut errors, "since", self.since.as_deref());
        let until = time_field(&mut errors, "until", self.until.as_deref());
        let entity_type = text_field(&mut errors, "entity_type", self.entity_type);
        let event_type = text_field(&mut errors, "event_type", self.event_type);
        errors.into_result()?;
        Ok(Filter {
            entity_type,
            entity_id,
            event_type,
            actor,
            since,
            until,
            related: false,
        })
    }
}
