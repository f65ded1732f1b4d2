//! `POST /api/v1/messages/`: a message in a channel the caller sees and may
//! write in (asked of channels with the caller's own token, then
//! `messages:create` on the channel's context). `message.sent` in the same
//! transaction; an SMS is queued for the send worker, woken after the commit.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;

use super::with_etag;
use crate::access::{self, MESSAGES_CREATE};
use crate::clients::CallerAuth;
use crate::events;
use crate::input::messages::SendMessage;
use crate::model::{FAILED, QUEUED};
use crate::outgoing::{self, SmsRoute, channel_error};
use crate::state::MessagesState;
use crate::storage::{messages, sms};

#[tracing::instrument(skip_all)]
pub async fn send(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    body: web::Json<SendMessage>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    access.require_firm(MESSAGES_CREATE)?;
    let input = body.into_inner().validate()?;
    let id = input.channel_id;
    let hidden = || channel_error(format!("no channel {id} in reach"));
    let channel = state
        .channels
        .for_caller(&caller, id)
        .await?
        .filter(|c| c.firm_id == tenant.firm_id.0)
        .ok_or_else(hidden)?;
    let me = tenant.principal.user_id.map(|u| u.0);
    access::require(
        &access,
        MESSAGES_CREATE,
        &channel.context_type,
        channel.context_id,
        channel.has_user(me),
        hidden,
    )?;
    if channel.archived_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The channel is archived; restore it to write in it",
        ));
    }
    let to = if outgoing::is_sms(&channel) {
        Some(outgoing::check_sms(&channel, &input)?)
    } else {
        None
    };
    let sender = me;
    let sending = state.sms.sending_configured();
    let participants = channel.user_ids();
    let stored = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let route = match to {
                Some(to) => Some(SmsRoute {
                    to,
                    from: sms::sender_number(conn, channel.id).await?,
                    sending_configured: sending,
                }),
                None => None,
            };
            let now = Utc::now();
            let m = outgoing::message(&channel, input, sender, route.as_ref(), now)?;
            let m = messages::insert(conn, m).await?;
            events::sent(conn, &m, &participants).await?;
            match m.delivery_status.as_str() {
                QUEUED => sms::queue(conn, m.firm_id, m.id, now).await?,
                FAILED => events::delivery_updated(conn, &m).await?,
                _ => {}
            }
            Ok(m)
        }
        .scope_boxed()
    })
    .await?;
    if stored.delivery_status == QUEUED {
        state.sms.wake.notify_one();
    }
    Ok(with_etag(StatusCode::CREATED, &stored.etag(), &stored))
}
