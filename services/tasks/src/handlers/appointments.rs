//! Appointments: create (matter and contacts checked, attendees checked, the
//! clash check, occurrences and reminders), get, and the list window of
//! occurrences (filtered in SQL by what the caller may see).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use diesel_async::AsyncPgConnection;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, FirmId, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::respond;
use crate::access::{self, APPOINTMENT, APPOINTMENTS_CREATE, APPOINTMENTS_READ, Item, Visibility};
use crate::events::{self, APPOINTMENT_SCHEDULED};
use crate::input::appointment::{AppointmentListQuery, CreateAppointment, Invitee};
use crate::model::{NewAppointment, NewAttendee, OccurrenceView};
use crate::people;
use crate::recurrence;
use crate::schedule::{self, Loaded};
use crate::state::TasksState;
use crate::storage::occurrences::WindowPosition;
use crate::storage::{appointments, occurrences, reminders};

pub(crate) fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Appointment", id)
}

/// The appointment (404 when not in this firm), optionally locked, with its attendees.
pub(crate) async fn load(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Loaded, ApiError> {
    let appointment = appointments::find(conn, id, lock)
        .await?
        .ok_or_else(|| not_found(id))?;
    let attendees = appointments::attendees(conn, id).await?;
    Ok(Loaded {
        appointment,
        attendees,
    })
}

pub(crate) fn respond_loaded(status: StatusCode, loaded: Loaded) -> HttpResponse {
    let etag = loaded.appointment.etag();
    respond(status, &etag, &loaded.appointment.view(loaded.attendees))
}

/// Attendee rows for `invitees` (firm users, contacts, external people).
pub(crate) fn attendee_rows(
    firm: Uuid,
    appointment: Uuid,
    invitees: &[Invitee],
) -> Vec<NewAttendee> {
    invitees
        .iter()
        .map(|i| {
            let (kind, user_id, contact_id, email, display_name) = match i {
                Invitee::User(u) => ("USER", Some(*u), None, None, None),
                Invitee::Contact(c, name) => ("CONTACT", None, Some(*c), None, name.clone()),
                Invitee::External(e, name) => {
                    ("EXTERNAL", None, None, Some(e.clone()), name.clone())
                }
            };
            NewAttendee {
                id: Uuid::now_v7(),
                firm_id: firm,
                appointment_id: appointment,
                kind: kind.to_owned(),
                user_id,
                contact_id,
                email,
                display_name,
                organizer: false,
                response: "NEEDS_ACTION".to_owned(),
            }
        })
        .collect()
}

/// Contacts exist at contacts; firm users are members who reach the item.
pub(crate) async fn check_invitees(
    state: &TasksState,
    firm: FirmId,
    item: Item,
    invitees: &[(usize, Invitee)],
) -> Result<(), ApiError> {
    let mut users = Vec::new();
    for (i, invitee) in invitees {
        match invitee {
            Invitee::User(u) => users.push((format!("attendees[{i}].userId"), *u)),
            Invitee::Contact(c, _) => {
                state
                    .contacts
                    .require_contact(firm, *c, &format!("attendees[{i}].contactId"))
                    .await?;
            }
            Invitee::External(..) => {}
        }
    }
    people::check(&state.authz, firm, APPOINTMENTS_READ, item, &users).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<TasksState>,
    tenant: Tenant,
    body: web::Json<CreateAppointment>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    access.require_firm(APPOINTMENTS_CREATE)?;
    let valid = body.into_inner().validate()?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let organizer = valid.organizer.or(me).ok_or_else(|| {
        FieldErrors::single(
            "organizerUserId",
            ErrorCode::RequiredFieldMissing,
            "a service names the organizer",
        )
        .into_api_error()
    })?;
    let id = Uuid::now_v7();
    let item = Item {
        kind: APPOINTMENT,
        id,
        matter: valid.matter_id,
        involved: true,
    };
    access::require(&access, APPOINTMENTS_CREATE, &item)?;
    if let Some(m) = valid.matter_id {
        state.matters.require_matter(tenant.firm_id, m).await?;
    }
    if Some(organizer) != me {
        let named = [("organizerUserId".to_owned(), organizer)];
        people::check(
            &state.authz,
            tenant.firm_id,
            APPOINTMENTS_READ,
            item,
            &named,
        )
        .await?;
    }
    let invitees: Vec<(usize, Invitee)> = valid
        .invitees
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, i)| *i != Invitee::User(organizer))
        .collect();
    check_invitees(&state, tenant.firm_id, item, &invitees).await?;
    let reminder_minutes = match valid.reminder_minutes.clone() {
        Some(list) => list,
        None => {
            state
                .firms
                .get(tenant.firm_id, &tenant.principal.token)
                .await?
                .reminder_minutes
        }
    };
    let firm = tenant.firm_id.0;
    let loaded = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let duration = valid.ends_at - valid.starts_at;
            let rule = valid.recurrence.clone();
            let series_ends_at = rule.as_deref().and_then(|r| {
                recurrence::series_end(r, valid.starts_at, valid.time_zone, duration)
            });
            let horizon = schedule::horizon_for(valid.starts_at);
            let new = NewAppointment {
                id,
                firm_id: firm,
                matter_id: valid.matter_id,
                organizer_user_id: organizer,
                title: valid.title,
                description: valid.description,
                appointment_type: valid.appointment_type,
                starts_at: valid.starts_at,
                ends_at: valid.ends_at,
                time_zone: valid.time_zone.name().to_owned(),
                location: valid.location,
                video_url: valid.video_url,
                recurrence: rule,
                series_ends_at,
                materialized_until: series_ends_at.map_or(horizon, |end| end.min(horizon)),
                reminder_minutes,
                created_by: me,
                updated_by: me,
            };
            let a = appointments::insert(conn, new).await?;
            let mut rows = vec![NewAttendee {
                organizer: true,
                response: "ACCEPTED".to_owned(),
                ..attendee_rows(firm, id, &[Invitee::User(organizer)]).remove(0)
            }];
            rows.extend(attendee_rows(
                firm,
                id,
                &invitees.into_iter().map(|(_, i)| i).collect::<Vec<_>>(),
            ));
            appointments::add_attendees(conn, rows).await?;
            let loaded = load(conn, id, false).await?;
            let spans = schedule::spans_of(&a, &[]);
            if !valid.allow_conflicts {
                schedule::check_clashes(conn, firm, Some(id), &loaded.busy_user_ids(), &spans)
                    .await?;
            }
            occurrences::add(conn, &a, &spans).await?;
            reminders::rebuild(conn, &a).await?;
            events::appointment(conn, APPOINTMENT_SCHEDULED, &a, &loaded.user_ids()).await?;
            Ok(loaded)
        }
        .scope_boxed()
    })
    .await?;
    let mut res = respond_loaded(StatusCode::CREATED, loaded);
    if let Ok(location) = format!("/api/v1/tasks/appointments/{id}").parse() {
        res.headers_mut().insert(LOCATION, location);
    }
    Ok(res)
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn get(
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
    let loaded = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load(conn, id, false).scope_boxed()
    })
    .await?;
    access::require(&access, APPOINTMENTS_READ, &loaded.item(me))?;
    Ok(respond_loaded(StatusCode::OK, loaded))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<TasksState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<AppointmentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let visible = Visibility::of(&access, APPOINTMENTS_READ)?;
    let window = query
        .into_inner()
        .validate(&cursors, tenant.principal.user_id.map(|u| u.0))?;
    let limit = window.limit;
    let (rows, mut found, mut people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = occurrences::window(conn, &window, &visible).await?;
            let mut ids: Vec<Uuid> = rows.iter().map(|r| r.appointment_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let found = appointments::find_many(conn, &ids).await?;
            let people = appointments::attendees_of(conn, &ids).await?;
            Ok((rows, found, people))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |r| {
        cursors.encode(&WindowPosition {
            starts_at: r.starts_at,
            appointment_id: r.appointment_id,
            occurrence_starts_at: r.occurrence_starts_at,
        })
    })?;
    found.sort_by_key(|a| a.id);
    let data: Vec<OccurrenceView> = page
        .data
        .iter()
        .filter_map(|r| {
            let a = found
                .binary_search_by_key(&r.appointment_id, |a| a.id)
                .ok()
                .map(|i| &found[i])?;
            let attendees = people.get(&a.id).cloned().unwrap_or_default();
            Some(OccurrenceView {
                occurrence_starts_at: r.occurrence_starts_at,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                appointment: a.view(attendees),
            })
        })
        .collect();
    people.clear();
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: page.pagination,
    }))
}
