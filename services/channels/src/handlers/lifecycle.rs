//! `PUT /{id}/archive` and `PUT /{id}/restore` (with `If-Match`). Both are
//! idempotent: archiving an archived channel answers it as it is.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{caller, check_fresh, if_match, locked_for, reload, respond};
use crate::access::CHANNELS_UPDATE;
use crate::state::ChannelsState;
use crate::storage::channels;

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn archive(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set(state, tenant, req, path.into_inner(), true).await
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn restore(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set(state, tenant, req, path.into_inner(), false).await
}

async fn set(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    id: Uuid,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    let access = caller(&state, &tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    let expected = if_match(&req);
    let channel = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = locked_for(conn, &access, user, id, CHANNELS_UPDATE, true).await?;
            check_fresh(expected.as_deref(), &current)?;
            if current.row.archived_at.is_some() == archived {
                return Ok(current);
            }
            let now = Utc::now();
            let at = archived.then_some(now);
            channels::set_archived(conn, id, at, user, now).await?;
            reload(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &channel))
}
