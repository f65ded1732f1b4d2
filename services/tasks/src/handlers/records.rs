//! An appointment's notes (reading needs `appointments:read`, adding
//! `appointments:update`) and consent records (append-only: who consented to
//! what, when, how).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, Page, Pagination};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::appointments::load;
use crate::access::{self, APPOINTMENTS_READ, APPOINTMENTS_UPDATE};
use crate::input::records::{ConsentBody, NoteBody};
use crate::model::Consent;
use crate::state::TasksState;
use crate::storage::records;

fn whole<T: serde::Serialize>(data: Vec<T>) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        data,
        pagination: Pagination {
            next_cursor: None,
            has_more: false,
            total: None,
        },
    })
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn notes(
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
            records::notes(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(whole(data))
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn add_note(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let text = body.into_inner().validate()?;
    let note = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, false).await?;
            access::require(&access, APPOINTMENTS_UPDATE, &loaded.item(me))?;
            records::add_note(conn, loaded.appointment.firm_id, id, text, me).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(note))
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn consents(
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
            records::consents(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(whole(data))
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn add_consent(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<ConsentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    body.validate()?;
    let body = body.into_inner();
    let consent = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, false).await?;
            access::require(&access, APPOINTMENTS_UPDATE, &loaded.item(me))?;
            if let Some(a) = body.attendee_id
                && !loaded.attendees.iter().any(|t| t.id == a)
            {
                return Err(FieldErrors::single(
                    "attendeeId",
                    ErrorCode::ResourceNotFound,
                    "no such attendee",
                )
                .into());
            }
            let consent = Consent {
                id: Uuid::now_v7(),
                firm_id: loaded.appointment.firm_id,
                appointment_id: id,
                attendee_id: body.attendee_id,
                consent_type: body.consent_type.unwrap_or_default(),
                granted: body.granted.unwrap_or(false),
                method: body.method.unwrap_or_default(),
                note: body
                    .note
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
                recorded_by: me,
                recorded_at: Utc::now(),
            };
            records::add_consent(conn, consent).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(consent))
}
