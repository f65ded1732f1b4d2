//! The firm's SMS numbers (`/api/v1/messages/sms-numbers`): the numbers it
//! receives SMS on (the webhook finds the firm by them) and sends from.
//! Managed by firm administrators (`users:update` with firm-wide reach, as
//! FIRM_ADMIN holds it); a number is the firm's alone across the platform.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use crate::access;
use crate::input::sms_numbers::AddNumber;
use crate::model::{NumberList, SmsNumber};
use crate::state::MessagesState;
use crate::storage::sms;

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<MessagesState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    access::require_firm_admin(&access)?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        sms::numbers(conn).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(NumberList { data: rows }))
}

#[tracing::instrument(skip_all)]
pub async fn add(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    body: web::Json<AddNumber>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    access::require_firm_admin(&access)?;
    let (number, label) = body.into_inner().validate()?;
    let row = SmsNumber {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        number,
        label,
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: Utc::now(),
        deleted_at: None,
        deleted_by: None,
    };
    let stored = with_tenant(&state.db, &tenant.ctx(), |conn| {
        sms::insert_number(conn, row).scope_boxed()
    })
    .await
    .map_err(|e| {
        if e.code == ErrorCode::ResourceAlreadyExists {
            ApiError::new(
                ErrorCode::ResourceAlreadyExists,
                "This number is already in use on the platform",
            )
            .with_details(json!({ "field": "number" }))
        } else {
            e
        }
    })?;
    Ok(HttpResponse::Created().json(stored))
}

#[tracing::instrument(skip_all, fields(number_id = %path))]
pub async fn remove(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    access::require_firm_admin(&access)?;
    let id = path.into_inner();
    let by = tenant.principal.user_id.map(|u| u.0);
    let removed = with_tenant(&state.db, &tenant.ctx(), |conn| {
        sms::delete_number(conn, id, by, Utc::now()).scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("SmsNumber", id));
    }
    Ok(HttpResponse::NoContent().finish())
}
