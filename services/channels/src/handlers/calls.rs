//! A channel's calls: open one (a LiveKit room, and the caller's join token),
//! a join token for someone else who may see the channel, list, get.
//! Publishing needs `messages:create` on the channel; seeing the channel lets
//! one listen.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{visible, visible_with};
use crate::access::{self, CHANNELS_READ, MESSAGES_CREATE};
use crate::calls::livekit::LiveKit;
use crate::calls::model::{CREATED, Call, CallRow, ENDED, Join, NewCall, Started, room_name};
use crate::input::PageQuery;
use crate::state::ChannelsState;
use crate::storage::calls;

#[derive(Serialize, Deserialize)]
struct After {
    at: chrono::DateTime<chrono::Utc>,
    id: Uuid,
}

/// The caller as a room's identity: a platform user (a service joins no call).
fn identity(tenant: &Tenant) -> Result<UserId, ApiError> {
    tenant
        .principal
        .user_id
        .ok_or_else(|| ApiError::permission_denied("A call is joined by a platform user"))
}

fn join(lk: &LiveKit, room: &str, user: UserId, can_publish: bool) -> Result<Join, ApiError> {
    let identity = user.to_string();
    let token = lk.join_token(room, &identity, can_publish)?;
    Ok(Join {
        url: lk.signal_url().to_owned(),
        token: token.token,
        room_name: room.to_owned(),
        identity,
        can_publish,
        expires_at: token.expires_at,
    })
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn create(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = identity(&tenant)?;
    let channel = visible(&state, &tenant, id, MESSAGES_CREATE).await?;
    if channel.row.archived_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The channel is archived; restore it to call in it",
        ));
    }
    let lk = state.livekit()?;
    let (firm, call_id) = (tenant.firm_id.0, Uuid::now_v7());
    let room = room_name(firm, call_id);
    let metadata = json!({ "firmId": firm, "channelId": id, "callId": call_id }).to_string();
    let created = lk.create_room(&room, &metadata).await?;
    let new = NewCall {
        id: call_id,
        firm_id: firm,
        channel_id: id,
        room_name: room.clone(),
        room_sid: Some(created.sid),
        status: CREATED.to_owned(),
        created_by: Some(user.0),
    };
    let call = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { calls::insert(conn, new).await }.scope_boxed()
    })
    .await?;
    tracing::info!(call_id = %call.id, %room, "call opened");
    let join = join(lk, &room, user, true)?;
    Ok(HttpResponse::Created().json(Started {
        call: Call::of(&call, &[]),
        join,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn token(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, call_id) = path.into_inner();
    let user = identity(&tenant)?;
    let (access, channel) = visible_with(&state, &tenant, id, CHANNELS_READ).await?;
    let can_publish = access::require(&access, &channel, Some(user.0), MESSAGES_CREATE).is_ok();
    let call = found(&state, &tenant, id, call_id).await?;
    if call.status == ENDED {
        return Err(ApiError::new(
            ErrorCode::ResourceConflict,
            "The call has ended",
        ));
    }
    let lk = state.livekit()?;
    Ok(HttpResponse::Created().json(join(lk, &call.room_name, user, can_publish)?))
}

async fn found(
    state: &ChannelsState,
    tenant: &Tenant,
    channel: Uuid,
    id: Uuid,
) -> Result<CallRow, ApiError> {
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { calls::find(conn, channel, id).await }.scope_boxed()
    })
    .await?
    .ok_or_else(|| ApiError::not_found("Call", id))
}

#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, call_id) = path.into_inner();
    visible(&state, &tenant, id, CHANNELS_READ).await?;
    let call = found(&state, &tenant, id, call_id).await?;
    let people = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { calls::people(conn, &[call_id]).await }.scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Call::of(&call, &people)))
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn list(
    state: web::Data<ChannelsState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    visible(&state, &tenant, id, CHANNELS_READ).await?;
    let page = query.params()?;
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<After>(c))
        .transpose()?
        .map(|a| (a.at, a.id));
    let (rows, people, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = calls::page(conn, id, after, limit).await?;
            let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
            let people = calls::people(conn, &ids).await?;
            Ok((rows, people, calls::count(conn, id).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |c: &CallRow| {
        cursors.encode(&After {
            at: c.created_at,
            id: c.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(Page {
        data: page
            .data
            .iter()
            .map(|c| Call::of(c, &people))
            .collect::<Vec<_>>(),
        pagination: page.pagination,
    }))
}
