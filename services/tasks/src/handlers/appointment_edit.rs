//! `PATCH` (`If-Match`; new times re-materialise the occurrences, run the clash
//! check, rebuild the reminders and announce `appointment.rescheduled`) and
//! `DELETE` (cancels: the appointment is kept as CANCELLED, its reminders go,
//! `appointment.cancelled` tells the attendees).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono_tz::Tz;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::appointments::{attendee_rows, check_invitees, load, respond_loaded};
use super::{check_fresh, if_match};
use crate::access::{self, APPOINTMENTS_DELETE, APPOINTMENTS_UPDATE};
use crate::events::{self, APPOINTMENT_CANCELLED, APPOINTMENT_RESCHEDULED};
use crate::input::appointment::{Invitee, UpdateAppointment, check_times};
use crate::model::AppointmentChanges;
use crate::recurrence;
use crate::schedule;
use crate::state::TasksState;
use crate::storage::{appointments, reminders};

fn cancelled_error() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidStageTransition,
        "The appointment is cancelled",
    )
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn update(
    state: web::Data<TasksState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateAppointment>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let patch = body.into_inner().validate()?;
    let current = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load(conn, id, false).scope_boxed()
    })
    .await?;
    let item = current.item(me);
    access::require(&access, APPOINTMENTS_UPDATE, &item)?;
    let organizer = current.appointment.organizer_user_id;
    let added: Vec<(usize, Invitee)> = patch
        .invitees
        .iter()
        .flatten()
        .cloned()
        .enumerate()
        .filter(|(_, i)| {
            *i != Invitee::User(organizer) && !current.attendees.iter().any(|t| same(t, i))
        })
        .collect();
    check_invitees(&state, tenant.firm_id, item, &added).await?;
    let expected = if_match(&req);
    let loaded = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = load(conn, id, true).await?;
            access::require(&access, APPOINTMENTS_UPDATE, &current.item(me))?;
            let a = &current.appointment;
            check_fresh(expected.as_deref(), &a.etag())?;
            if a.is_cancelled() {
                return Err(cancelled_error());
            }
            let b = &patch.body;
            let retimed = b.changes_time();
            let (starts, ends) = (
                b.starts_at.unwrap_or(a.starts_at),
                b.ends_at.unwrap_or(a.ends_at),
            );
            let tz = patch
                .time_zone
                .unwrap_or_else(|| a.time_zone.parse().unwrap_or(Tz::UTC));
            let rule = b.recurrence.clone().unwrap_or_else(|| a.recurrence.clone());
            let mut changes = AppointmentChanges {
                title: b.title.as_ref().map(|t| t.trim().to_owned()),
                description: b
                    .description
                    .clone()
                    .map(|d| d.map(|d| d.trim().to_owned())),
                appointment_type: b.appointment_type.clone(),
                location: b.location.clone(),
                video_url: b.video_url.clone(),
                reminder_minutes: patch.reminder_minutes.clone(),
                actual_start_at: b.actual_start_at,
                actual_end_at: b.actual_end_at,
                ..AppointmentChanges::default()
            };
            if retimed {
                check_times(starts, ends, tz, rule.as_deref())?;
                let series_end = rule
                    .as_deref()
                    .and_then(|r| recurrence::series_end(r, starts, tz, ends - starts));
                let horizon = schedule::horizon_for(starts);
                changes.starts_at = Some(starts);
                changes.ends_at = Some(ends);
                changes.time_zone = Some(tz.name().to_owned());
                changes.recurrence = Some(rule);
                changes.series_ends_at = Some(series_end);
                changes.materialized_until = Some(series_end.map_or(horizon, |e| e.min(horizon)));
                changes.sequence = Some(a.sequence + 1);
            }
            let firm = a.firm_id;
            let updated = appointments::update(conn, id, changes, me).await?;
            if let Some(wanted) = &patch.invitees {
                let gone: Vec<Uuid> = current
                    .attendees
                    .iter()
                    .filter(|t| !t.organizer && !wanted.iter().any(|i| same(t, i)))
                    .map(|t| t.id)
                    .collect();
                appointments::remove_attendees(conn, &gone).await?;
                let new: Vec<Invitee> = added.into_iter().map(|(_, i)| i).collect();
                appointments::add_attendees(conn, attendee_rows(firm, id, &new)).await?;
            }
            let loaded = load(conn, id, false).await?;
            if retimed || patch.invitees.is_some() {
                let exceptions = appointments::exceptions(conn, id).await?;
                let spans = schedule::spans_of(&updated, &exceptions);
                if !b.allow_conflicts.unwrap_or(false) {
                    schedule::check_clashes(conn, firm, Some(id), &loaded.busy_user_ids(), &spans)
                        .await?;
                }
            }
            if retimed {
                schedule::materialize(conn, &updated).await?;
                events::appointment(conn, APPOINTMENT_RESCHEDULED, &updated, &loaded.user_ids())
                    .await?;
            } else if patch.reminder_minutes.is_some() {
                reminders::rebuild(conn, &updated).await?;
            }
            Ok(loaded)
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond_loaded(StatusCode::OK, loaded))
}

/// Whether attendee `t` is the invitee `i`.
fn same(t: &crate::model::Attendee, i: &Invitee) -> bool {
    match i {
        Invitee::User(u) => t.user_id == Some(*u),
        Invitee::Contact(c, _) => t.contact_id == Some(*c),
        Invitee::External(e, _) => t.email.as_deref() == Some(e.as_str()),
    }
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn cancel(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = load(conn, id, true).await?;
            access::require(&access, APPOINTMENTS_DELETE, &current.item(me))?;
            if current.appointment.is_cancelled() {
                return Err(cancelled_error());
            }
            let a = appointments::cancel(conn, &current.appointment, me).await?;
            reminders::rebuild(conn, &a).await?;
            events::appointment(conn, APPOINTMENT_CANCELLED, &a, &current.user_ids()).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
