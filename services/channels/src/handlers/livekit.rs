//! `POST /webhooks/livekit/`: LiveKit's webhooks (no bearer token; a JWT in
//! `Authorization` signed with the API secret carries the body's SHA-256).
//! A bad or missing signature is 401 and nothing is stored. The room name,
//! chosen by this service and signed over by LiveKit, names the firm and call.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::{ApiError, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::json;

use crate::calls::model::parse_room;
use crate::calls::webhook;
use crate::state::ChannelsState;

#[tracing::instrument(skip_all)]
pub async fn receive(
    state: web::Data<ChannelsState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lk = state.livekit()?;
    let authorization = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    lk.verify_webhook(authorization, &body)?;
    let event = webhook::parse(&body)?;
    let Some((firm, call)) = parse_room(&event.room) else {
        tracing::info!(room = %event.room, event = %event.event, "webhook of a room not opened here");
        return Ok(HttpResponse::Ok().json(json!({ "applied": false })));
    };
    let ctx = TenantCtx::firm(FirmId(firm), None);
    let applied = with_tenant(&state.db, &ctx, |conn| {
        async move { webhook::apply(conn, firm, call, &event).await }.scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "applied": applied })))
}
