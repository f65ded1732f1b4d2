//! Data edits (PATCH partial, PUT whole) and soft delete. Closed and archived
//! matters refuse data edits with 400 `CASE_ALREADY_CLOSED`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{check_fresh, if_match, respond};
use crate::access::{self, MATTER, MATTERS_DELETE, MATTERS_UPDATE};
use crate::input::{ReplaceMatter, UpdateMatter};
use crate::stage::closed_error;
use crate::state::MattersState;
use crate::storage::matters;

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn update(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateMatter>,
) -> Result<HttpResponse, ApiError> {
    edit(state, tenant, req, path.into_inner(), body.into_inner()).await
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn replace(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ReplaceMatter>,
) -> Result<HttpResponse, ApiError> {
    edit(
        state,
        tenant,
        req,
        path.into_inner(),
        body.into_inner().into_patch(),
    )
    .await
}

async fn edit(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    id: Uuid,
    patch: UpdateMatter,
) -> Result<HttpResponse, ApiError> {
    let access = access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    access.check_writes(MATTER, &patch.written())?;
    let client = patch.new_client();
    let changes = patch.validate()?;
    if let Some(client) = client {
        state
            .contacts
            .require_client(tenant.firm_id, client)
            .await?;
    }
    let expected = if_match(&req);
    let by = tenant.principal.user_id.map(|u| u.0);
    let matter = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = matters::lock(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            check_fresh(expected.as_deref(), &current)?;
            if current.stage().is_closed() {
                return Err(closed_error(current.stage()));
            }
            matters::update_data(conn, id, changes, by, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    respond(StatusCode::OK, &access, &matter)
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn delete(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_DELETE, id).await?;
    let by = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matters::lock(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            matters::soft_delete(conn, id, by, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
