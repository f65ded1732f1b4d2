//! A client's people: `GET/POST /api/v1/contacts/clients/{id}/contacts` and
//! `DELETE …/{contactId}`, each relationship PRIMARY, BILLING or OTHER.

use actix_web::{HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::actor;
use crate::access::{self, READ, UPDATE};
use crate::model::{ClientContact, RELATIONSHIPS};
use crate::state::ContactsState;
use crate::storage::clients;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkBody {
    pub contact_id: Option<String>,
    pub relationship: Option<String>,
}

impl LinkBody {
    fn validate(self) -> Result<(Uuid, String), ApiError> {
        let mut errors = FieldErrors::new();
        let contact = self.contact_id.as_deref().map(|c| c.trim().parse::<Uuid>());
        match &contact {
            None => errors.missing("contactId"),
            Some(Err(_)) => errors.add(
                "contactId",
                ErrorCode::InvalidFieldFormat,
                "must be a contact id",
            ),
            Some(Ok(_)) => {}
        }
        let relationship = self.relationship.map(|r| r.trim().to_ascii_uppercase());
        match relationship.as_deref() {
            None | Some("") => errors.missing("relationship"),
            Some(r) => errors.one_of("relationship", r, &RELATIONSHIPS),
        }
        errors.into_result()?;
        Ok((
            contact.and_then(Result::ok).unwrap_or_default(),
            relationship.unwrap_or_default(),
        ))
    }
}

#[tracing::instrument(skip_all, fields(client_id = %path))]
pub async fn list(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::client(&state, &tenant, READ, id).await?;
    let links = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            clients::find(conn, id)
                .await?
                .ok_or_else(|| access::client_not_found(id))?;
            clients::list_links(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": links })))
}

#[tracing::instrument(skip_all, fields(client_id = %path))]
pub async fn add(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<LinkBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::client(&state, &tenant, UPDATE, id).await?;
    let (contact_id, relationship) = body.into_inner().validate()?;
    let link = ClientContact {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        client_id: id,
        contact_id,
        relationship,
        created_by: actor(&tenant),
        created_at: chrono::Utc::now(),
    };
    let link = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            clients::find(conn, id)
                .await?
                .ok_or_else(|| access::client_not_found(id))?;
            super::clients::check_contact(conn, Some(contact_id)).await?;
            clients::insert_link(conn, link).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(link))
}

#[tracing::instrument(skip_all)]
pub async fn remove(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, contact_id) = path.into_inner();
    access::client(&state, &tenant, UPDATE, id).await?;
    let removed = with_tenant(&state.db, &tenant.ctx(), |conn| {
        clients::delete_link(conn, id, contact_id).scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("Client contact", contact_id));
    }
    Ok(HttpResponse::NoContent().finish())
}
