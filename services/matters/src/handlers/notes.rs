//! Notes on a matter: list (newest first), add, read, change, soft delete.
//! Reading needs `matters:read` on the matter, writing `matters:update`; a
//! closed matter's notes are read-only (400 `CASE_ALREADY_CLOSED`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::matter_for;
use crate::access::{self, MATTERS_READ, MATTERS_UPDATE};
use crate::input::NoteBody;
use crate::model::Note;
use crate::state::MattersState;
use crate::storage::notes;

#[derive(Serialize, Deserialize)]
struct Position {
    at: DateTime<Utc>,
    id: Uuid,
}

fn note_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Note", id)
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn list(
    state: web::Data<MattersState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    let limit = page.limit()?;
    let before = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| (p.at, p.id));
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, false).await?;
            let rows = notes::list(conn, id, before, limit).await?;
            Ok((rows, notes::count(conn, id).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |n: &Note| {
        cursors.encode(&Position {
            at: n.created_at,
            id: n.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn create(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let text = body.into_inner().validate()?;
    let by = tenant.principal.user_id.map(|u| u.0);
    let now = Utc::now();
    let note = Note {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        matter_id: id,
        body: text,
        created_by: by,
        updated_by: by,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let note = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            notes::insert(conn, note).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(note))
}

#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, note_id) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_READ, id).await?;
    let note = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, false).await?;
            notes::find(conn, id, note_id).await
        }
        .scope_boxed()
    })
    .await?
    .ok_or_else(|| note_not_found(note_id))?;
    Ok(HttpResponse::Ok().json(note))
}

#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, note_id) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let text = body.into_inner().validate()?;
    let by = tenant.principal.user_id.map(|u| u.0);
    let note = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            notes::update(conn, id, note_id, text, by, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?
    .ok_or_else(|| note_not_found(note_id))?;
    Ok(HttpResponse::Ok().json(note))
}

#[tracing::instrument(skip_all)]
pub async fn delete(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, note_id) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let by = tenant.principal.user_id.map(|u| u.0);
    let deleted = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matter_for(conn, id, true).await?;
            notes::soft_delete(conn, id, note_id, by, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    if !deleted {
        return Err(note_not_found(note_id));
    }
    Ok(HttpResponse::NoContent().finish())
}
