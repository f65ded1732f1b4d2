//! `POST /{id}/responses`: ACCEPTED / DECLINED / TENTATIVE. A user answers only
//! for their own attendance; the organizer may record the answer of a contact
//! or external attendee. Anyone else is 403. Reading the appointment
//! (`appointments:read`) is enough to answer one's own invitation.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::appointments::load;
use crate::access::{self, APPOINTMENTS_READ};
use crate::events;
use crate::input::appointment::ResponseBody;
use crate::state::TasksState;
use crate::storage::appointments;

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn respond(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<ResponseBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let response = body.validate()?;
    let target = body.attendee_id;
    let attendee = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, true).await?;
            access::require(&access, APPOINTMENTS_READ, &loaded.item(me))?;
            let a = &loaded.appointment;
            let organizer = me == Some(a.organizer_user_id);
            let attendee = match target {
                Some(t) => loaded.attendees.iter().find(|x| x.id == t).ok_or_else(|| ApiError::not_found("Attendee", t))?,
                None => loaded
                    .attendees
                    .iter()
                    .find(|x| me.is_some() && x.user_id == me)
                    .ok_or_else(|| ApiError::permission_denied("You are not an attendee of this appointment"))?,
            };
            let own = me.is_some() && attendee.user_id == me;
            let on_behalf = organizer && attendee.user_id.is_none();
            if !own && !on_behalf {
                return Err(ApiError::permission_denied(
                    "You may answer only for yourself (the organizer also for contacts and external attendees)",
                ));
            }
            if a.is_cancelled() {
                return Err(ApiError::new(lawos_core::ErrorCode::InvalidStageTransition, "The appointment is cancelled"));
            }
            let updated = appointments::respond(conn, attendee.id, &response, me).await?;
            events::response_recorded(conn, a, updated.id, updated.user_id, &response).await?;
            Ok(updated)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(attendee))
}
