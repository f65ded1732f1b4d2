//! `GET /api/v1/events/verify`: the caller's firm chain recomputed.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;

use crate::access::{self, AUDIT_VERIFY};
use crate::state::EventsState;
use crate::storage;

#[tracing::instrument(skip_all, fields(firm_id = %tenant.firm_id))]
pub async fn verify(
    state: web::Data<EventsState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::reader(&tenant, AUDIT_VERIFY)?;
    let firm_id = tenant.firm_id.0;
    let report = with_tenant(&state.db, &ctx, |conn| {
        storage::verify(conn, firm_id).scope_boxed()
    })
    .await?;
    if !report.valid {
        tracing::error!(?report.first_broken_at, "audit chain broken");
    }
    Ok(HttpResponse::Ok().json(report))
}
