//! `PUT /api/v1/contacts/{id}` (the whole contact) and `PATCH` (the fields
//! given), both honouring `If-Match`.

use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{actor, check_etag, if_match};
use crate::access::{self, UPDATE};
use crate::input::contact::{ContactBody, ContactDraft, ValidContact};
use crate::model::ContactFields;
use crate::state::ContactsState;
use crate::storage::contacts;

/// The columns of a valid contact, changed now by `by`.
pub fn fields(v: ValidContact, by: Option<Uuid>) -> ContactFields {
    ContactFields {
        kind: v.kind,
        given_name: v.given_name,
        family_name: v.family_name,
        organization_name: v.organization_name,
        display_name: v.display_name,
        emails: v.emails,
        phones: v.phones,
        addresses: v.addresses,
        notes: v.notes,
        updated_by: by,
        updated_at: chrono::Utc::now(),
    }
}

pub async fn replace(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ContactBody>,
) -> Result<HttpResponse, ApiError> {
    change(
        state,
        tenant,
        req,
        path.into_inner(),
        body.into_inner(),
        false,
    )
    .await
}

pub async fn patch(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ContactBody>,
) -> Result<HttpResponse, ApiError> {
    change(
        state,
        tenant,
        req,
        path.into_inner(),
        body.into_inner(),
        true,
    )
    .await
}

#[tracing::instrument(skip_all, fields(contact_id = %id, merge))]
async fn change(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    req: HttpRequest,
    id: Uuid,
    body: ContactBody,
    merge: bool,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state, &tenant, UPDATE).await?;
    let expected = if_match(&req);
    let by = actor(&tenant);
    let calling_code = state.config.calling_code.clone();
    let contact = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = contacts::lock(conn, id)
                .await?
                .ok_or_else(|| access::contact_not_found(id))?;
            check_etag(expected.as_deref(), &current.etag(), "contact")?;
            let draft = if merge {
                ContactDraft::from_row(&current).overlay(body)
            } else {
                ContactDraft::from_body(body)
            };
            let valid = draft.validate(&calling_code)?;
            contacts::update(conn, id, fields(valid, by)).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, contact.etag()))
        .json(contact))
}
