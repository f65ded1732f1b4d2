//! Appointment notes and consent records (append-only).

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::model::{Consent, Note};
use crate::schema::{appointment_consents as consents, appointment_notes as notes};

pub async fn notes(conn: &mut AsyncPgConnection, appointment: Uuid) -> Result<Vec<Note>, ApiError> {
    Ok(notes::table
        .filter(notes::appointment_id.eq(appointment))
        .filter(notes::deleted_at.is_null())
        .order((notes::created_at.desc(), notes::id.desc()))
        .select(Note::as_select())
        .load(conn)
        .await?)
}

pub async fn add_note(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    appointment: Uuid,
    body: String,
    by: Option<Uuid>,
) -> Result<Note, ApiError> {
    Ok(diesel::insert_into(notes::table)
        .values((
            notes::id.eq(Uuid::now_v7()),
            notes::firm_id.eq(firm),
            notes::appointment_id.eq(appointment),
            notes::body.eq(body),
            notes::created_by.eq(by),
            notes::created_at.eq(Utc::now()),
        ))
        .returning(Note::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn consents(
    conn: &mut AsyncPgConnection,
    appointment: Uuid,
) -> Result<Vec<Consent>, ApiError> {
    Ok(consents::table
        .filter(consents::appointment_id.eq(appointment))
        .order((consents::recorded_at, consents::id))
        .select(Consent::as_select())
        .load(conn)
        .await?)
}

pub async fn add_consent(
    conn: &mut AsyncPgConnection,
    consent: Consent,
) -> Result<Consent, ApiError> {
    Ok(diesel::insert_into(consents::table)
        .values(consent)
        .returning(Consent::as_returning())
        .get_result(conn)
        .await?)
}
