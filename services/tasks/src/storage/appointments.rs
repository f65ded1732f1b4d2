//! Appointments, their attendees and exceptions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{
    Appointment, AppointmentChanges, Attendee, CANCELLED, Exception, NewAppointment, NewAttendee,
};
use crate::schema::{appointment_attendees as att, appointment_exceptions as exc, appointments};

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: NewAppointment,
) -> Result<Appointment, ApiError> {
    Ok(diesel::insert_into(appointments::table)
        .values(new)
        .returning(Appointment::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<Appointment>, ApiError> {
    let query = appointments::table
        .find(id)
        .select(Appointment::as_select());
    Ok(if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    })
}

pub async fn find_many(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<Appointment>, ApiError> {
    Ok(appointments::table
        .filter(appointments::id.eq_any(ids))
        .select(Appointment::as_select())
        .load(conn)
        .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: AppointmentChanges,
    by: Option<Uuid>,
) -> Result<Appointment, ApiError> {
    Ok(diesel::update(appointments::table.find(id))
        .set((
            changes,
            appointments::updated_by.eq(by),
            appointments::updated_at.eq(Utc::now()),
        ))
        .returning(Appointment::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn cancel(
    conn: &mut AsyncPgConnection,
    a: &Appointment,
    by: Option<Uuid>,
) -> Result<Appointment, ApiError> {
    let now = Utc::now();
    Ok(diesel::update(appointments::table.find(a.id))
        .set((
            appointments::status.eq(CANCELLED),
            appointments::cancelled_at.eq(now),
            appointments::cancelled_by.eq(by),
            appointments::sequence.eq(a.sequence + 1),
            appointments::updated_by.eq(by),
            appointments::updated_at.eq(now),
        ))
        .returning(Appointment::as_returning())
        .get_result(conn)
        .await?)
}

/// Moves the series' horizon (the occurrences exist up to `until`).
pub async fn set_horizon(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    until: DateTime<Utc>,
) -> Result<Appointment, ApiError> {
    Ok(diesel::update(appointments::table.find(id))
        .set(appointments::materialized_until.eq(until))
        .returning(Appointment::as_returning())
        .get_result(conn)
        .await?)
}

/// The live attendees of `appointment`, the organizer first.
pub async fn attendees(
    conn: &mut AsyncPgConnection,
    appointment: Uuid,
) -> Result<Vec<Attendee>, ApiError> {
    Ok(att::table
        .filter(att::appointment_id.eq(appointment))
        .filter(att::removed_at.is_null())
        .order((att::organizer.desc(), att::created_at, att::id))
        .select(Attendee::as_select())
        .load(conn)
        .await?)
}

pub async fn attendees_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Attendee>>, ApiError> {
    let rows: Vec<Attendee> = att::table
        .filter(att::appointment_id.eq_any(ids))
        .filter(att::removed_at.is_null())
        .order((
            att::appointment_id,
            att::organizer.desc(),
            att::created_at,
            att::id,
        ))
        .select(Attendee::as_select())
        .load(conn)
        .await?;
    let mut by: HashMap<Uuid, Vec<Attendee>> = HashMap::new();
    for a in rows {
        by.entry(a.appointment_id).or_default().push(a);
    }
    Ok(by)
}

pub async fn add_attendees(
    conn: &mut AsyncPgConnection,
    new: Vec<NewAttendee>,
) -> Result<(), ApiError> {
    if !new.is_empty() {
        diesel::insert_into(att::table)
            .values(new)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn remove_attendees(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<(), ApiError> {
    diesel::update(att::table.filter(att::id.eq_any(ids)))
        .set(att::removed_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn respond(
    conn: &mut AsyncPgConnection,
    attendee: Uuid,
    response: &str,
    by: Option<Uuid>,
) -> Result<Attendee, ApiError> {
    Ok(diesel::update(att::table.find(attendee))
        .set((
            att::response.eq(response),
            att::responded_at.eq(Utc::now()),
            att::responded_by.eq(by),
        ))
        .returning(Attendee::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn exceptions(
    conn: &mut AsyncPgConnection,
    appointment: Uuid,
) -> Result<Vec<Exception>, ApiError> {
    Ok(exc::table
        .filter(exc::appointment_id.eq(appointment))
        .order(exc::occurrence_starts_at)
        .select(Exception::as_select())
        .load(conn)
        .await?)
}

pub async fn exceptions_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Exception>>, ApiError> {
    let rows: Vec<Exception> = exc::table
        .filter(exc::appointment_id.eq_any(ids))
        .order((exc::appointment_id, exc::occurrence_starts_at))
        .select(Exception::as_select())
        .load(conn)
        .await?;
    let mut by: HashMap<Uuid, Vec<Exception>> = HashMap::new();
    for e in rows {
        by.entry(e.appointment_id).or_default().push(e);
    }
    Ok(by)
}

/// Records (or replaces) the exception for one occurrence.
#[allow(clippy::too_many_arguments)]
pub async fn upsert_exception(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    appointment: Uuid,
    occurrence: DateTime<Utc>,
    moved: Option<(DateTime<Utc>, DateTime<Utc>)>,
    by: Option<Uuid>,
) -> Result<Exception, ApiError> {
    let now = Utc::now();
    let (starts, ends) = (moved.map(|m| m.0), moved.map(|m| m.1));
    Ok(diesel::insert_into(exc::table)
        .values((
            exc::id.eq(Uuid::now_v7()),
            exc::firm_id.eq(firm),
            exc::appointment_id.eq(appointment),
            exc::occurrence_starts_at.eq(occurrence),
            exc::cancelled.eq(moved.is_none()),
            exc::starts_at.eq(starts),
            exc::ends_at.eq(ends),
            exc::created_by.eq(by),
        ))
        .on_conflict((exc::firm_id, exc::appointment_id, exc::occurrence_starts_at))
        .do_update()
        .set((
            exc::cancelled.eq(moved.is_none()),
            exc::starts_at.eq(starts),
            exc::ends_at.eq(ends),
            exc::updated_at.eq(now),
        ))
        .returning(Exception::as_returning())
        .get_result(conn)
        .await?)
}
