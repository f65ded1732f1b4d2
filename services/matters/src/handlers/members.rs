//! A matter's team: list, add, remove. Adding and removing write
//! `matter.member_added` / `matter.member_removed` in the same transaction;
//! rbac's membership projection turns them into access (ASSIGNED reach).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, MATTERS_READ, MATTERS_UPDATE};
use crate::events;
use crate::input::AddMember;
use crate::model::Member;
use crate::stage::closed_error;
use crate::state::MattersState;
use crate::storage::{matters, members};

#[derive(Serialize, Deserialize)]
struct Position {
    id: Uuid,
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
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.id);
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matters::find(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            let rows = members::list(conn, id, after, limit).await?;
            Ok((rows, members::count(conn, id).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |m: &Member| {
        cursors.encode(&Position { id: m.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn add(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AddMember>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let now = Utc::now();
    let valid = body.into_inner().validate(now)?;
    let by = tenant.principal.user_id.map(|u| u.0);
    let member = Member {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        matter_id: id,
        user_id: valid.user_id,
        role: valid.role,
        starts_at: valid.starts_at,
        ends_at: valid.ends_at,
        added_by: by,
        removed_by: None,
        created_at: now,
        removed_at: None,
    };
    let member = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let matter = matters::lock(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            if matter.stage().is_closed() {
                return Err(closed_error(matter.stage()));
            }
            let member = members::insert(conn, member).await?;
            events::member_added(conn, &member).await?;
            Ok(member)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(member))
}

#[tracing::instrument(skip_all)]
pub async fn remove(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = path.into_inner();
    access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let by = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matters::lock(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            let removed = members::remove(conn, id, user, by, Utc::now())
                .await?
                .ok_or_else(|| ApiError::not_found("MatterMember", user))?;
            events::member_removed(conn, &removed).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
