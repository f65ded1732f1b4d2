//! `GET /api/v1/matters/{id}/timeline`: audit events of the matter and of what
//! lies under it (from the events service, `related`)
//! and notes, merged newest first, with a cursor, after the read check.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page, PageParams, Pagination};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, MATTERS_READ};
use crate::state::MattersState;
use crate::storage::{matters, notes};
use crate::timeline::{Position, merge};

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
    let at: Position = match page.cursor.as_deref() {
        Some(c) => cursors.decode(c)?,
        None => Position::default(),
    };
    let (before, skip_notes) = (at.note, at.notes_done);
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            matters::find(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            if skip_notes {
                return Ok(Vec::new());
            }
            notes::list(conn, id, before, limit).await
        }
        .scope_boxed()
    })
    .await?;
    let events = if at.events_done {
        None
    } else {
        let page = PageParams {
            cursor: at.ev.clone(),
            limit: Some(limit),
        };
        Some(
            state
                .audit
                .activity(tenant.firm_id, "matter", id, &page)
                .await?,
        )
    };
    let size = usize::try_from(limit).unwrap_or(20);
    let (data, next) = merge(&at, events, rows, size);
    let next_cursor = next.map(|p| cursors.encode(&p)).transpose()?;
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: Pagination {
            has_more: next_cursor.is_some(),
            next_cursor,
            total: None,
        },
    }))
}
