//! One message: `GET /api/v1/messages/{id}` (with its previous bodies),
//! `DELETE` (soft: by its sender, or by a firm administrator) and
//! `GET /{id}/events` (its audit trail). The caller must see it by its
//! context and see its channel at channels; anything else is 404.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_authz::Access;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{message_not_found, with_etag};
use crate::access::{self, MESSAGES_READ};
use crate::clients::CallerAuth;
use crate::events;
use crate::input::PageQuery;
use crate::model::{Message, MessageWithEdits};
use crate::state::MessagesState;
use crate::storage::messages;

/// The message `id` if the caller may read it (else 404): by its context,
/// and its channel as channels shows it to the caller. With their access and
/// whether they take part in the channel.
pub async fn readable(
    state: &MessagesState,
    tenant: &Tenant,
    caller: &CallerAuth,
    id: Uuid,
) -> Result<(Message, Access, bool), ApiError> {
    let access = access::caller(&state.authz, tenant).await?;
    access.require_firm(MESSAGES_READ)?;
    let message = with_tenant(&state.db, &tenant.ctx(), |conn| {
        messages::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| message_not_found(id))?;
    let channel = state
        .channels
        .for_caller(caller, message.channel_id)
        .await?
        .ok_or_else(|| message_not_found(id))?;
    let participant = channel.has_user(tenant.principal.user_id.map(|u| u.0));
    access::require(
        &access,
        MESSAGES_READ,
        &message.context_type,
        message.context_id,
        participant,
        || message_not_found(id),
    )?;
    Ok((message, access, participant))
}

#[tracing::instrument(skip_all, fields(message_id = %path))]
pub async fn get(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (message, _, _) = readable(&state, &tenant, &caller, path.into_inner()).await?;
    let id = message.id;
    let edits = with_tenant(&state.db, &tenant.ctx(), |conn| {
        messages::edits(conn, id).scope_boxed()
    })
    .await?;
    let etag = message.etag();
    let body = MessageWithEdits { message, edits };
    Ok(with_etag(StatusCode::OK, &etag, &body))
}

#[tracing::instrument(skip_all, fields(message_id = %path))]
pub async fn delete(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (message, access, _) = readable(&state, &tenant, &caller, path.into_inner()).await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    if message.sender_user_id.is_none_or(|s| Some(s) != me) && !access::is_firm_admin(&access) {
        return Err(ApiError::permission_denied(
            "Only the sender or a firm administrator deletes a message",
        ));
    }
    let id = message.id;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let Some(current) = messages::find_for_update(conn, id).await? else {
                return Err(message_not_found(id));
            };
            let gone = messages::soft_delete(conn, current.id, me, Utc::now()).await?;
            events::deleted(conn, &gone).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[tracing::instrument(skip_all, fields(message_id = %path))]
pub async fn events(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (message, _, _) = readable(&state, &tenant, &caller, path.into_inner()).await?;
    state
        .audit
        .page(tenant.firm_id, "message", message.id, &query.page())
        .await
}
