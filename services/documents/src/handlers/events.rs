//! `GET /api/v1/documents/{id}/events`: a document's audit trail from the
//! events service, after the same access check as reading the document.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::authorized;
use crate::access::{self, DOCUMENTS_READ};
use crate::input::EventsQuery;
use crate::state::DocumentsState;

#[tracing::instrument(skip_all, fields(document_id = %path))]
pub async fn list(
    state: web::Data<DocumentsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = access::caller(&state, &tenant).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            authorized(conn, &access, DOCUMENTS_READ, id, false)
                .await
                .map(|_| ())
        }
        .scope_boxed()
    })
    .await?;
    state
        .audit
        .page(tenant.firm_id, "document", id, &query.page())
        .await
}
