//! A contact's lifecycle: archive, restore, soft delete; and its audit trail.

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::actor;
use crate::access::{self, DELETE, READ, UPDATE};
use crate::state::ContactsState;
use crate::storage::contacts;

async fn set_archived(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    id: Uuid,
    archive: bool,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state, &tenant, UPDATE).await?;
    let by = actor(&tenant);
    let contact = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = contacts::lock(conn, id)
                .await?
                .ok_or_else(|| access::contact_not_found(id))?;
            if current.archived_at.is_some() == archive {
                return Ok(current);
            }
            contacts::set_archived(conn, id, archive.then(Utc::now), by).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, contact.etag()))
        .json(contact))
}

#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn archive(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), true).await
}

#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn restore(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), false).await
}

#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn delete(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::firm(&state, &tenant, DELETE).await?;
    let by = actor(&tenant);
    let deleted = with_tenant(&state.db, &tenant.ctx(), |conn| {
        contacts::soft_delete(conn, id, by).scope_boxed()
    })
    .await?;
    if !deleted {
        return Err(access::contact_not_found(id));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/contacts/{id}/events`, after the same check as reading it.
#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn events(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::firm(&state, &tenant, READ).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        contacts::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| access::contact_not_found(id))?;
    state.audit.page(tenant.firm_id, "contact", id, &page).await
}
