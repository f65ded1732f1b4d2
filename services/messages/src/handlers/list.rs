//! `GET /api/v1/messages/?channel_id=`: a channel's thread (the caller must
//! see the channel at channels), and `?context_type=&context_id=`: every
//! message of a matter or a contact across its channels, visible by the
//! context rule. Newest first, with a cursor.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;

use super::{Position, position};
use crate::access::{self, MESSAGES_READ};
use crate::clients::CallerAuth;
use crate::input::messages::{Listing, MessageQuery};
use crate::model::{MATTER, Message};
use crate::state::MessagesState;
use crate::storage::messages;

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<MessagesState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    caller: CallerAuth,
    query: web::Query<MessageQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = access::caller(&state.authz, &tenant).await?;
    access.require_firm(MESSAGES_READ)?;
    let listing = query.validate()?;
    let page = query.page();
    let limit = page.limit()?;
    let before = position(&cursors, &page)?;
    match &listing {
        Listing::Channel(id) => {
            let id = *id;
            let hidden = || ApiError::not_found("Channel", id);
            let channel = state
                .channels
                .for_caller(&caller, id)
                .await?
                .filter(|c| c.firm_id == tenant.firm_id.0)
                .ok_or_else(hidden)?;
            access::require(
                &access,
                MESSAGES_READ,
                &channel.context_type,
                channel.context_id,
                channel.has_user(tenant.principal.user_id.map(|u| u.0)),
                hidden,
            )?;
        }
        Listing::Context(kind, id) => {
            let name = if *kind == MATTER { "Matter" } else { "Contact" };
            access::require(&access, MESSAGES_READ, kind, Some(*id), false, || {
                ApiError::not_found(name, id)
            })?;
        }
    }
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            Ok(match listing {
                Listing::Channel(id) => (
                    messages::thread(conn, id, before, limit).await?,
                    messages::count_thread(conn, id).await?,
                ),
                Listing::Context(kind, id) => (
                    messages::by_context(conn, kind, id, before, limit).await?,
                    messages::count_context(conn, kind, id).await?,
                ),
            })
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |m: &Message| {
        cursors.encode(&Position {
            at: m.created_at,
            id: m.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}
