//! Contacts: list (with `?search_channels=`), create, get.

use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Position, actor};
use crate::access::{self, CREATE, READ};
use crate::channels::{e164, looks_like_phone};
use crate::input::contact::{ContactBody, ContactDraft};
use crate::input::query::{ContactFilter, ContactQuery};
use crate::model::{Contact, NewContact};
use crate::state::ContactsState;
use crate::storage::search::{Scored, Term};
use crate::storage::{contacts, search};

/// The cursor of a search: score, then id.
#[derive(Serialize, Deserialize)]
struct Ranked {
    score: f64,
    id: Uuid,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<ContactsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state, &tenant, READ).await?;
    let filter = query.filter()?;
    let page = query.page();
    let limit = page.limit()?;
    if let Some(text) = filter.search.clone() {
        return searched(&state, &cursors, &tenant, filter, &text, page.cursor, limit).await;
    }
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?;
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = contacts::list(conn, &filter, after.map(|p| p.id), limit).await?;
            Ok((rows, contacts::count(conn, &filter).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |c: &Contact| {
        cursors.encode(&Position { id: c.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

/// A search page: contacts with their `score`, best first.
async fn searched(
    state: &ContactsState,
    cursors: &CursorCodec,
    tenant: &Tenant,
    filter: ContactFilter,
    text: &str,
    cursor: Option<String>,
    limit: i64,
) -> Result<HttpResponse, ApiError> {
    let term = Term {
        phone: looks_like_phone(text)
            .then(|| e164(text, &state.config.calling_code))
            .flatten(),
        text: text.to_lowercase(),
    };
    let after = cursor
        .as_deref()
        .map(|c| cursors.decode::<Ranked>(c))
        .transpose()?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
                search::search(conn, &term, &filter, after.map(|r| (r.score, r.id)), limit).await
            }
            .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |s: &Scored| {
        cursors.encode(&Ranked {
            score: s.score,
            id: s.contact.id,
        })
    })?;
    let data: Vec<serde_json::Value> = page
        .data
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(&s.contact).unwrap_or_default();
            v["score"] = serde_json::json!(s.score);
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "data": data, "pagination": page.pagination })))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    body: web::Json<ContactBody>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state, &tenant, CREATE).await?;
    let valid = ContactDraft::from_body(body.into_inner()).validate(&state.config.calling_code)?;
    let new = NewContact {
        id: Uuid::now_v7(),
        created_by: actor(&tenant),
        fields: super::contact_update::fields(valid, actor(&tenant)),
    };
    let contact = with_tenant(&state.db, &tenant.ctx(), |conn| {
        contacts::insert(conn, new).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((ETAG, contact.etag()))
        .insert_header((LOCATION, format!("/api/v1/contacts/{}", contact.id)))
        .json(contact))
}

#[tracing::instrument(skip_all, fields(contact_id = %path))]
pub async fn get(
    state: web::Data<ContactsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::firm(&state, &tenant, READ).await?;
    let contact = with_tenant(&state.db, &tenant.ctx(), |conn| {
        contacts::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| access::contact_not_found(id))?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, contact.etag()))
        .json(contact))
}
