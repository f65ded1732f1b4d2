//! `GET /api/v1/documents/`: the documents the caller may see (decided in
//! SQL), filtered, or searched with `?q=` (ranked), a cursor page.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, ListReach};
use crate::input::ListQuery;
use crate::state::DocumentsState;
use crate::storage::{documents as stored, list as listing, versions};
use crate::views::{DocumentView, ListedDocument};

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<DocumentsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state, &tenant).await?;
    let reach = ListReach::of(&access)?;
    let filter = query.into_inner().validate(&cursors)?;
    let limit = filter.limit;
    let (rows, total, docs, current) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = listing::page(conn, &filter, &reach).await?;
            let total = listing::total(conn, &filter, &reach).await?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let docs = stored::find_many(conn, &ids).await?;
            let current_ids: Vec<Uuid> = docs.iter().filter_map(|d| d.current_version_id).collect();
            let current = versions::find_many(conn, &current_ids).await?;
            Ok((rows, total, docs, current))
        }
        .scope_boxed()
    })
    .await?;
    let docs: HashMap<Uuid, _> = docs.into_iter().map(|d| (d.id, d)).collect();
    let current: HashMap<Uuid, _> = current.into_iter().map(|v| (v.id, v)).collect();
    let page = Page::from_rows(rows, limit, Some(total), |r| cursors.encode(&r.position()))?;
    let data = page
        .data
        .iter()
        .filter_map(|r| {
            let doc = docs.get(&r.id)?;
            let version = doc.current_version_id.and_then(|v| current.get(&v));
            Some(ListedDocument {
                document: DocumentView::of(doc, version),
                rank: r.rank,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: page.pagination,
    }))
}
