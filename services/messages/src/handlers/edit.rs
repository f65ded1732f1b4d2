//! `PATCH /api/v1/messages/{id}`: a new body, by the sender only (403 for
//! anyone else), `If-Match` honoured (412); the previous body is kept in the
//! message's history and `message.updated` written. An SMS is not changed
//! once written: it has gone, or is going, to a phone.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::message::readable;
use super::{check_fresh, if_match, message_not_found, with_etag};
use crate::access::{self, MESSAGES_CREATE};
use crate::clients::CallerAuth;
use crate::events;
use crate::input::messages::EditMessage;
use crate::model::{MessageWithEdits, SMS};
use crate::state::MessagesState;
use crate::storage::messages;

#[tracing::instrument(skip_all, fields(message_id = %path))]
pub async fn update(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<EditMessage>,
) -> Result<HttpResponse, ApiError> {
    let (message, access, participant) =
        readable(&state, &tenant, &caller, path.into_inner()).await?;
    access::require(
        &access,
        MESSAGES_CREATE,
        &message.context_type,
        message.context_id,
        participant,
        || message_not_found(message.id),
    )?;
    let me = tenant.principal.user_id.map(|u| u.0);
    if message.sender_user_id.is_none() || message.sender_user_id != me {
        return Err(ApiError::permission_denied(
            "Only the sender edits a message",
        ));
    }
    if message.channel_kind == SMS {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "An SMS cannot be changed once written",
        ));
    }
    let text = body.into_inner().validate()?;
    let expected = if_match(&req);
    let id = message.id;
    let (changed, edits) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = messages::find_for_update(conn, id)
                .await?
                .ok_or_else(|| message_not_found(id))?;
            check_fresh(expected.as_deref(), &current.etag())?;
            let changed = messages::edit(conn, &current, text, me, Utc::now()).await?;
            events::updated(conn, &changed).await?;
            let edits = messages::edits(conn, id).await?;
            Ok((changed, edits))
        }
        .scope_boxed()
    })
    .await?;
    let etag = changed.etag();
    let body = MessageWithEdits {
        message: changed,
        edits,
    };
    Ok(with_etag(StatusCode::OK, &etag, &body))
}
