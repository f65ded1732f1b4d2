//! Reading the log: a filtered list, one event, an entity's history. Lists are
//! newest first (descending arrival order, `seq`); the cursor holds the last
//! `seq` served, so events arriving meanwhile never shift a page.

use actix_web::{HttpRequest, HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::access::{self, AUDIT_READ};
use crate::input::{HistoryQuery, ListQuery};
use crate::model::EventRow;
use crate::state::EventsState;
use crate::storage::{self, Filter};

#[derive(Serialize, Deserialize)]
struct Position {
    seq: i64,
}

async fn page(
    state: &EventsState,
    cursors: &CursorCodec,
    ctx: TenantCtx,
    filter: Filter,
    params: &PageParams,
) -> Result<Page<Value>, ApiError> {
    let limit = params.limit()?;
    let before = params
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.seq);
    let firm_id = ctx.firm_id.map(|f| f.0).unwrap_or_default();
    let rows = with_tenant(&state.db, &ctx, |conn| {
        storage::list(conn, firm_id, filter, before, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |r: &EventRow| {
        cursors.encode(&Position { seq: r.seq })
    })?;
    Ok(Page {
        data: page.data.iter().map(EventRow::to_json).collect(),
        pagination: page.pagination,
    })
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<EventsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    params: web::Query<PageParams>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::reader(&tenant, AUDIT_READ)?;
    let filter = query.into_inner().validate()?;
    let page = page(&state, &cursors, ctx, filter, &params).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(event_id = %path))]
pub async fn get(
    state: web::Data<EventsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let ctx = access::reader(&tenant, AUDIT_READ)?;
    let row = with_tenant(&state.db, &ctx, |conn| {
        storage::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| ApiError::not_found("Event", id))?;
    Ok(HttpResponse::Ok().json(row.to_json()))
}

#[tracing::instrument(skip_all, fields(entity_type = %path.0, entity_id = %path.1))]
pub async fn entity_history(
    state: web::Data<EventsState>,
    cursors: web::Data<CursorCodec>,
    req: HttpRequest,
    principal: Principal,
    path: web::Path<(String, Uuid)>,
    params: web::Query<PageParams>,
    history: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (entity_type, entity_id) = path.into_inner();
    let ctx = access::entity_reader(&req, &principal).await?;
    let filter = Filter {
        entity_type: Some(entity_type),
        entity_id: Some(entity_id),
        related: history.related.unwrap_or(false),
        ..Filter::default()
    };
    let page = page(&state, &cursors, ctx, filter, &params).await?;
    Ok(HttpResponse::Ok().json(page))
}
