//! `GET /api/v1/matters/{id}/events`: a matter's audit trail from the events
//! service, after the same access check as reading the matter.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, MATTERS_READ};
use crate::state::MattersState;
use crate::storage::matters;

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn list(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        matters::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| access::not_found(id))?;
    state.audit.page(tenant.firm_id, "matter", id, &page).await
}
