//! `GET/POST /api/v1/channels/{id}/messages`: the channel's thread. Channels
//! decides whether the caller may read (`messages:read`) or write
//! (`messages:create`) in the channel; the messages service, the owner of
//! messages, answers with the caller's own identity (see `crate::messages`).
//! An archived channel takes no new messages (409).

use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::{ApiError, ErrorCode};
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::visible;
use crate::access::{MESSAGES_CREATE, MESSAGES_READ};
use crate::input::{PageQuery, SendMessage};
use crate::state::ChannelsState;

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn list(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    visible(&state, &tenant, id, MESSAGES_READ).await?;
    let page = query.params()?;
    state.messages.thread(&req, id, &page).await
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn send(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<SendMessage>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let channel = visible(&state, &tenant, id, MESSAGES_CREATE).await?;
    if channel.row.archived_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The channel is archived; restore it to write in it",
        ));
    }
    let message = body.into_inner().validate(id)?;
    state.messages.send(&req, &message).await
}
