//! `GET /api/v1/channels/{id}/events`: a channel's audit trail from the events
//! service, after the same access check as reading the channel.

use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::visible;
use crate::access::CHANNELS_READ;
use crate::input::PageQuery;
use crate::state::ChannelsState;

#[tracing::instrument(skip_all, fields(channel_id = %path))]
pub async fn list(
    state: web::Data<ChannelsState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    visible(&state, &tenant, id, CHANNELS_READ).await?;
    let page = query.params()?;
    state.audit.page(tenant.firm_id, "channel", id, &page).await
}
