//! Clients (`/api/v1/contacts/clients/`): list, create, get. `ssn` and
//! `dateOfBirth` are sealed before they reach the database and opened only for
//! callers whose field policy lets them read them.

use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{AsyncPgConnection, with_tenant};
use lawos_tenancy::Tenant;
use serde_json::Value;
use uuid::Uuid;

use super::{Position, actor};
use crate::access::{self, CLIENT, CREATE, READ};
use crate::input::client::{ClientBody, ClientDraft, Pii, ValidClient};
use crate::input::shaped;
use crate::model::{Client, ClientFields, ClientPii, NewClient};
use crate::pii::PiiKey;
use crate::state::ContactsState;
use crate::storage::{clients, pii};
use crate::views::{self, DATE_OF_BIRTH, SSN};
use lawos_authz::Access;

/// The columns of a valid client, changed now by `by`.
pub fn fields(v: &ValidClient, by: Option<Uuid>) -> ClientFields {
    ClientFields {
        client_type: v.client_type.clone(),
        full_name: v.full_name.clone(),
        company_name: v.company_name.clone(),
        email: v.email.clone(),
        phone: v.phone.clone(),
        address: v.address.clone(),
        status: v.status.clone(),
        contact_id: v.contact_id,
        updated_by: by,
        updated_at: chrono::Utc::now(),
    }
}

/// Seals and stores (or clears) the PII fields `v` changes.
pub async fn store_pii(
    conn: &mut AsyncPgConnection,
    key: &PiiKey,
    firm: Uuid,
    client: Uuid,
    v: &ValidClient,
) -> Result<(), ApiError> {
    for (field, change) in [(SSN, &v.ssn), (DATE_OF_BIRTH, &v.date_of_birth)] {
        match change {
            Pii::Keep => {}
            Pii::Clear => pii::clear(conn, client, field).await?,
            Pii::Set(value) => {
                let sealed = key.seal(client, field, value)?;
                let row = ClientPii {
                    firm_id: firm,
                    client_id: client,
                    field: field.to_owned(),
                    ciphertext: sealed.ciphertext,
                    key_id: sealed.key_id,
                    updated_at: chrono::Utc::now(),
                };
                pii::put(conn, row).await?;
            }
        }
    }
    Ok(())
}

/// The sealed fields of `ids`, when the caller may read any of them.
pub async fn pii_for(
    conn: &mut AsyncPgConnection,
    access: &Access,
    ids: &[Uuid],
) -> Result<Vec<ClientPii>, ApiError> {
    if views::reads_pii(access) {
        pii::load(conn, ids).await
    } else {
        Ok(Vec::new())
    }
}

/// 422 naming `contactId` when it names no contact of the firm.
pub async fn check_contact(
    conn: &mut AsyncPgConnection,
    contact: Option<Uuid>,
) -> Result<(), ApiError> {
    match contact {
        Some(id) if !clients::contact_exists(conn, id).await? => Err(FieldErrors::single(
            "contactId",
            ErrorCode::InvalidFieldFormat,
            "names no contact of this firm",
        )
        .into()),
        _ => Ok(()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<ContactsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let access = access::firm(&state, &tenant, READ).await?;
    let visible = access::client_filter(&access, READ);
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?;
    let reader = access.clone();
    let (rows, total, sealed) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = clients::list(conn, &visible, after.map(|p| p.id), limit).await?;
            let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
            let sealed = pii_for(conn, &reader, &ids).await?;
            Ok((rows, clients::count(conn, &visible).await?, sealed))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |c: &Client| {
        cursors.encode(&Position { id: c.id })
    })?;
    let data = page
        .data
        .iter()
        .map(|c| views::client(&access, &state.config.pii, c, &sealed))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "data": data, "pagination": page.pagination })))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let access = access::firm(&state, &tenant, CREATE).await?;
    access.check_writes(CLIENT, &body)?;
    let body: ClientBody = shaped(&body)?;
    let valid = ClientDraft::from_body(body).validate(&state.config.calling_code)?;
    let (id, firm) = (Uuid::now_v7(), tenant.firm_id.0);
    let new = NewClient {
        id,
        firm_id: firm,
        created_by: actor(&tenant),
        fields: fields(&valid, actor(&tenant)),
    };
    let (key, reader) = (state.config.pii.clone(), access.clone());
    let (client, sealed) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            check_contact(conn, valid.contact_id).await?;
            let client = clients::insert(conn, new).await?;
            store_pii(conn, &key, firm, id, &valid).await?;
            Ok((client, pii_for(conn, &reader, &[id]).await?))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((ETAG, client.etag()))
        .insert_header((LOCATION, format!("/api/v1/contacts/clients/{id}")))
        .json(views::client(&access, &state.config.pii, &client, &sealed)?))
}

/// Also the matters service's existence check of a `clientId` (service token +
/// `X-Firm-Id`): 200 or 404.
#[tracing::instrument(skip_all, fields(client_id = %path))]
pub async fn get(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::client(&state, &tenant, READ, id).await?;
    let reader = access.clone();
    let (client, sealed) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let client = clients::find(conn, id)
                .await?
                .ok_or_else(|| access::client_not_found(id))?;
            Ok((client, pii_for(conn, &reader, &[id]).await?))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, client.etag()))
        .json(views::client(&access, &state.config.pii, &client, &sealed)?))
}
