//! `PATCH /{id}` (the title, with `If-Match`) and `DELETE /{id}` (soft).

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
use crate::input::UpdateChannel;
use crate::state::ChannelsState;
use crate::storage::channels;

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn update(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateChannel>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = caller(&state, &tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    let expected = if_match(&req);
    let body = body.into_inner();
    let channel = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = locked_for(conn, &access, user, id, CHANNELS_UPDATE, true).await?;
            let title = body.validate()?;
            check_fresh(expected.as_deref(), &current)?;
            match title {
                Some(title) if title != current.row.title => {
                    channels::set_title(conn, id, &title, user, Utc::now()).await?;
                    reload(conn, id).await
                }
                _ => Ok(current),
            }
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &channel))
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn delete(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = caller(&state, &tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            locked_for(conn, &access, user, id, CHANNELS_UPDATE, true).await?;
            channels::soft_delete(conn, id, user, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
