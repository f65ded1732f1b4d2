//! Reading audit events as data (for the timeline): the events page comes from
//! the shared `lawos_http::audit::AuditTrail::events`.

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use lawos_http::audit::EventsPage;

/// When an event item (events service JSON) occurred.
pub fn occurred_at(event: &Value) -> Option<DateTime<Utc>> {
    event["occurredAt"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}
