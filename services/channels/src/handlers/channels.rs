//! Channels: list (what the caller may see, decided in SQL), create, get.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{caller, respond, visible};
use crate::access::{self, CHANNELS_CREATE, CHANNELS_READ, Visibility};
use crate::input::{CreateChannel, ListQuery, Position};
use crate::model::{Context, Loaded, NewChannel, Party};
use crate::state::ChannelsState;
use crate::storage::channels;

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<ChannelsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = caller(&state, &tenant).await?;
    access.require_firm(CHANNELS_READ)?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let vis = Visibility::of(&access, me)?;
    let filter = query.into_inner().validate(&cursors, me)?;
    let limit = filter.limit;
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = channels::list(conn, &filter, &vis).await?;
            Ok((rows, channels::count(conn, &filter, &vis).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |c: &Loaded| {
        cursors.encode(&Position {
            at: c.last_activity_at,
            id: c.row.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(Page {
        data: page.data.iter().map(Loaded::view).collect::<Vec<_>>(),
        pagination: page.pagination,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    body: web::Json<CreateChannel>,
) -> Result<HttpResponse, ApiError> {
    let access = caller(&state, &tenant).await?;
    access.require_firm(CHANNELS_CREATE)?;
    let valid = body.into_inner().validate()?;
    access::may_create(&access, valid.context)?;
    let firm = tenant.firm_id;
    match valid.context {
        Context::Matter(id) => state
            .matters
            .require(firm, id, "contextId")
            .await
            .map(drop)?,
        Context::Contact(id) => state
            .contacts
            .require(firm, id, "contextId")
            .await
            .map(drop)?,
        Context::Internal => {}
    }
    for (i, party) in valid.participants.iter().enumerate() {
        if let Party::Contact { id, .. } = party {
            let field = format!("participants[{i}].contactId");
            state.contacts.require(firm, *id, &field).await?;
        }
    }
    let by = tenant.principal.user_id.map(|u| u.0);
    let mut parties = valid.participants;
    if let Some(me) = by.filter(|me| !parties.contains(&Party::User(*me))) {
        parties.insert(0, Party::User(me));
    }
    let new = NewChannel::new(firm.0, valid.context, &valid.kind, &valid.title, by);
    let channel = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { channels::insert(conn, new, &parties).await }.scope_boxed()
    })
    .await?;
    tracing::info!(channel_id = %channel.row.id, "channel created");
    Ok(respond(StatusCode::CREATED, &channel))
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn get(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let channel = visible(&state, &tenant, path.into_inner(), CHANNELS_READ).await?;
    Ok(respond(StatusCode::OK, &channel))
}
