//! A channel's participants: list, add (a contact is checked at contacts),
//! remove. Adding and removing need `channels:update` on the channel.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{caller, locked_for, visible};
use crate::access::{CHANNELS_READ, CHANNELS_UPDATE};
use crate::input::{AddParticipant, PageQuery};
use crate::model::{Participant, ParticipantRow, Party};
use crate::state::ChannelsState;
use crate::storage::participants;

#[derive(Serialize, Deserialize)]
struct After {
    id: Uuid,
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
    let access = caller(&state, &tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    let page = query.params()?;
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<After>(c))
        .transpose()?
        .map(|a| a.id);
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            locked_for(conn, &access, user, id, CHANNELS_READ, false).await?;
            let rows = participants::page(conn, id, after, limit).await?;
            Ok((rows, participants::count(conn, id).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |p: &ParticipantRow| {
        cursors.encode(&After { id: p.id })
    })?;
    Ok(HttpResponse::Ok().json(Page {
        data: page.data.iter().map(Participant::from).collect::<Vec<_>>(),
        pagination: page.pagination,
    }))
}

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn add(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AddParticipant>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let channel = visible(&state, &tenant, id, CHANNELS_UPDATE).await?;
    let party = body.validate(channel.row.kind == "SMS")?;
    if let Party::Contact { id: contact, .. } = &party {
        state
            .contacts
            .require(tenant.firm_id, *contact, "contactId")
            .await?;
    }
    let access = caller(&state, &tenant).await?;
    let (firm, user) = (tenant.firm_id.0, tenant.principal.user_id.map(|u| u.0));
    let added = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            locked_for(conn, &access, user, id, CHANNELS_UPDATE, true).await?;
            participants::add(conn, firm, id, &party, user).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(Participant::from(&added)))
}

#[tracing::instrument(skip_all)]
pub async fn remove(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, participant) = path.into_inner();
    let access = caller(&state, &tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            locked_for(conn, &access, user, id, CHANNELS_UPDATE, true).await?;
            participants::remove(conn, id, participant, Utc::now())
                .await?
                .ok_or_else(|| ApiError::not_found("ChannelParticipant", participant))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
