//! `GET /api/v1/notifications/types`: the notification types.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;

use crate::access::{self, READ};
use crate::catalogue::KINDS;
use crate::state::NotifyState;

pub async fn list(state: web::Data<NotifyState>, tenant: Tenant) -> Result<HttpResponse, ApiError> {
    access::reader(&state.authz, &tenant, READ).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "data": KINDS })))
}
