//! Single-occurrence exceptions of a recurring appointment: one occurrence
//! cancelled (an EXDATE) or moved (an overridden occurrence; the clash check
//! runs for its new time unless `allowConflicts`). `appointment.rescheduled`
//! tells the attendees the series changed.

use actix_web::{HttpResponse, web};
use chrono_tz::Tz;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, Page, Pagination};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::appointments::load;
use crate::access::{self, APPOINTMENTS_READ, APPOINTMENTS_UPDATE};
use crate::events::{self, APPOINTMENT_RESCHEDULED};
use crate::input::appointment::ExceptionBody;
use crate::recurrence;
use crate::schedule;
use crate::state::TasksState;
use crate::storage::appointments;

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn add(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<ExceptionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let (occurrence, moved) = body.validate()?;
    let allow = body.allow_conflicts.unwrap_or(false);
    let exception = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, true).await?;
            access::require(&access, APPOINTMENTS_UPDATE, &loaded.item(me))?;
            let a = &loaded.appointment;
            if a.is_cancelled() {
                return Err(ApiError::new(
                    ErrorCode::InvalidStageTransition,
                    "The appointment is cancelled",
                ));
            }
            let tz: Tz = a.time_zone.parse().unwrap_or(Tz::UTC);
            let real = a
                .recurrence
                .as_deref()
                .is_some_and(|r| recurrence::is_occurrence(r, a.starts_at, tz, occurrence));
            if !real {
                return Err(FieldErrors::single(
                    "occurrenceStartsAt",
                    ErrorCode::InvalidFieldFormat,
                    "is not an occurrence of this recurring appointment",
                )
                .into());
            }
            if let (Some((s, e)), false) = (moved, allow) {
                schedule::check_clashes(
                    conn,
                    a.firm_id,
                    Some(id),
                    &loaded.busy_user_ids(),
                    &[(occurrence, s, e)],
                )
                .await?;
            }
            let exception =
                appointments::upsert_exception(conn, a.firm_id, id, occurrence, moved, me).await?;
            schedule::materialize(conn, a).await?;
            events::appointment(conn, APPOINTMENT_RESCHEDULED, a, &loaded.user_ids()).await?;
            Ok(exception)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(exception))
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn list(
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
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, false).await?;
            access::require(&access, APPOINTMENTS_READ, &loaded.item(me))?;
            appointments::exceptions(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: Pagination {
            next_cursor: None,
            has_more: false,
            total: None,
        },
    }))
}
