//! `GET /api/v1/tenants/{firmId}/events`: a firm's audit trail, after the same
//! access check as reading the firm.

use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, FirmId, PageParams};
use uuid::Uuid;

use crate::access;
use crate::state::TenantsState;

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn list(
    state: web::Data<TenantsState>,
    principal: Principal,
    path: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::read(&principal, firm_id)?;
    state
        .cached_firm(&ctx, firm_id)
        .await?
        .ok_or_else(|| access::not_found(firm_id))?;
    state
        .audit
        .page(FirmId(firm_id), "firm", firm_id, &page)
        .await
}
