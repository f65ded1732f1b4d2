//! `GET /api/v1/contacts/duplicates`: the open candidate pairs (cursor list),
//! each with its score and reasons.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;

use super::Position;
use crate::access::{self, READ};
use crate::model::DuplicateCandidate;
use crate::state::ContactsState;
use crate::storage::duplicates;

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<ContactsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state, &tenant, READ).await?;
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        duplicates::list_open(conn, after.map(|p| p.id), limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |d: &DuplicateCandidate| {
        cursors.encode(&Position { id: d.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}
