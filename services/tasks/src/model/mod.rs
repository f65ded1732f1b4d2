//! Rows of the tasks schema and their API representations (camelCase).

pub mod appointment;
pub mod task;

pub use appointment::*;
pub use task::*;

use chrono::{DateTime, Utc};

/// A strong validator for `ETag` / `If-Match` from an id and the last change.
pub fn etag_of(id: uuid::Uuid, updated_at: DateTime<Utc>) -> String {
    format!("\"{}-{}\"", id.simple(), updated_at.timestamp_micros())
}
