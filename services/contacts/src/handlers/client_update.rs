//! `PATCH /api/v1/contacts/clients/{id}` (with `If-Match`) and `DELETE` (soft).

use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde_json::Value;
use uuid::Uuid;

use super::clients::{check_contact, fields, pii_for, store_pii};
use super::{actor, check_etag, if_match};
use crate::access::{self, CLIENT, DELETE, UPDATE};
use crate::input::client::{ClientBody, ClientDraft};
use crate::input::shaped;
use crate::state::ContactsState;
use crate::storage::clients;
use crate::views;

#[tracing::instrument(skip_all, fields(client_id = %path))]
pub async fn patch(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::client(&state, &tenant, UPDATE, id).await?;
    access.check_writes(CLIENT, &body)?;
    let body: ClientBody = shaped(&body)?;
    let expected = if_match(&req);
    let by = actor(&tenant);
    let st = state.clone();
    let (reader, firm) = (access.clone(), tenant.firm_id.0);
    let (client, sealed) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = clients::lock(conn, id)
                .await?
                .ok_or_else(|| access::client_not_found(id))?;
            check_etag(expected.as_deref(), &current.etag(), "client")?;
            let contact_changed = body.contact_id.is_some();
            let valid = ClientDraft::from_row(&current)
                .overlay(body)
                .validate(&st.config.calling_code)?;
            if contact_changed {
                check_contact(conn, valid.contact_id).await?;
            }
            let client = clients::update(conn, id, fields(&valid, by)).await?;
            store_pii(conn, &st.config.pii, firm, id, &valid).await?;
            Ok((client, pii_for(conn, &reader, &[id]).await?))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, client.etag()))
        .json(views::client(&access, &state.config.pii, &client, &sealed)?))
}

#[tracing::instrument(skip_all, fields(client_id = %path))]
pub async fn delete(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::client(&state, &tenant, DELETE, id).await?;
    let by = actor(&tenant);
    let deleted = with_tenant(&state.db, &tenant.ctx(), |conn| {
        clients::soft_delete(conn, id, by).scope_boxed()
    })
    .await?;
    if !deleted {
        return Err(access::client_not_found(id));
    }
    Ok(HttpResponse::NoContent().finish())
}
