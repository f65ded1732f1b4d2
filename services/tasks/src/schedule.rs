//! What every change of an appointment's times goes through: its occurrences
//! (materialised up to its horizon, exceptions applied), the clash check
//! against other appointments of the same attendees (409 naming them unless
//! conflicts are allowed), and its reminders.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lawos_core::{ApiError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::access::{APPOINTMENT, Item};
use crate::model::{Appointment, Attendee, Exception};
use crate::recurrence::HORIZON;
use crate::storage::occurrences::{self, Span};
use crate::storage::{appointments, reminders};

/// An appointment with its live attendees.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub appointment: Appointment,
    pub attendees: Vec<Attendee>,
}

impl Loaded {
    pub fn item(&self, me: Option<Uuid>) -> Item {
        let a = &self.appointment;
        let involved = me.is_some_and(|me| {
            a.organizer_user_id == me || self.attendees.iter().any(|t| t.user_id == Some(me))
        });
        Item {
            kind: APPOINTMENT,
            id: a.id,
            matter: a.matter_id,
            involved,
        }
    }

    /// The firm users attending (the organizer included).
    pub fn user_ids(&self) -> Vec<Uuid> {
        self.attendees.iter().filter_map(|t| t.user_id).collect()
    }

    /// The firm users who have not declined: busy at its times.
    pub fn busy_user_ids(&self) -> Vec<Uuid> {
        self.attendees
            .iter()
            .filter(|t| t.response != "DECLINED")
            .filter_map(|t| t.user_id)
            .collect()
    }
}

/// Where occurrences are materialised up to for a series starting at `start`.
pub fn horizon_for(start: DateTime<Utc>) -> DateTime<Utc> {
    start.max(Utc::now()) + HORIZON
}

/// The occurrences of `a` up to its horizon, exceptions applied.
pub fn spans_of(a: &Appointment, exceptions: &[Exception]) -> Vec<Span> {
    occurrences::spans(a, exceptions, a.starts_at, a.materialized_until)
}

/// 409 naming the appointments `users` attend at one of `spans` (other than `this`).
pub async fn check_clashes(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    this: Option<Uuid>,
    users: &[Uuid],
    spans: &[Span],
) -> Result<(), ApiError> {
    let found = occurrences::clashes(conn, firm, this, users, spans).await?;
    if found.is_empty() {
        return Ok(());
    }
    let titles: Vec<&str> = found.iter().map(|c| c.title.as_str()).collect();
    Err(ApiError::new(
        ErrorCode::ResourceConflict,
        format!("Attendees are busy then: {}", titles.join(", ")),
    )
    .with_details(
        json!({ "clashes": found, "hint": "send allowConflicts: true to schedule anyway" }),
    ))
}

/// Re-materialises `a`'s occurrences and rebuilds its reminders (after any change of times).
pub async fn materialize(conn: &mut AsyncPgConnection, a: &Appointment) -> Result<(), ApiError> {
    let exceptions = appointments::exceptions(conn, a.id).await?;
    occurrences::replace(conn, a, &spans_of(a, &exceptions)).await?;
    reminders::rebuild(conn, a).await
}

/// Moves a series' horizon to `until`: the occurrences in between, their reminders.
pub async fn extend(
    conn: &mut AsyncPgConnection,
    a: &Appointment,
    until: DateTime<Utc>,
) -> Result<Appointment, ApiError> {
    let exceptions = appointments::exceptions(conn, a.id).await?;
    let spans = occurrences::spans(a, &exceptions, a.materialized_until, until);
    occurrences::add(conn, a, &spans).await?;
    let a = appointments::set_horizon(conn, a.id, until).await?;
    reminders::rebuild(conn, &a).await?;
    Ok(a)
}
