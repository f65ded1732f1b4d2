//! `GET /api/v1/notifications/ws` (the WebSocket) and `POST /ws-ticket`.
//!
//! The socket is authenticated by the same token check as every route, with
//! the token from `Authorization: Bearer` (non-browser clients), from
//! `Sec-WebSocket-Protocol: lawos.bearer, <token>` (browsers; the answer
//! selects `lawos.bearer`), or from `?ticket=` (a single-use ticket from
//! `POST /ws-ticket`, valid for seconds). A missing, bad or expired token, a
//! used ticket or a deactivated user is refused before the upgrade, with the
//! error envelope.

use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use lawos_auth::{Principal, TokenError, TokenValidator};
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{self, READ};
use crate::live::session::{self, Registration, SessionPlan};
use crate::live::ticket;
use crate::state::NotifyState;
use crate::storage::{directory, notifications};

/// The subprotocol that carries a bearer token (`lawos.bearer, <token>`).
pub const BEARER_PROTOCOL: &str = "lawos.bearer";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SocketQuery {
    /// A ticket from `POST /api/v1/notifications/ws-ticket` (single use).
    pub ticket: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// Pass as `?ticket=` to the socket within `expiresAt`; it works once.
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
}

/// The token of `Sec-WebSocket-Protocol: lawos.bearer, <token>`, if offered.
fn protocol_token(req: &HttpRequest) -> Option<String> {
    let offered = req.headers().get(SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
    let mut parts = offered.split(',').map(str::trim);
    let mut token = None;
    let mut bearer = false;
    for part in parts.by_ref() {
        if part == BEARER_PROTOCOL {
            bearer = true;
        } else if !part.is_empty() {
            token = Some(part.to_owned());
        }
    }
    token.filter(|_| bearer)
}

/// The caller: from `Authorization` (already checked), a ticket, or the subprotocol.
async fn principal(
    req: &HttpRequest,
    state: &NotifyState,
    validator: &TokenValidator,
    ticket: Option<&str>,
) -> Result<(Principal, bool), ApiError> {
    if let Some(p) = req.extensions().get::<Principal>().cloned() {
        return Ok((p, false));
    }
    if let Some(ticket) = ticket {
        let cache = state
            .cache
            .as_ref()
            .ok_or_else(|| ApiError::unavailable("no Redis for tickets"))?;
        let token = ticket::redeem(cache, ticket).await?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::AuthTokenInvalid,
                "The ticket is unknown, used or expired",
            )
        })?;
        return Ok((validator.validate(&token).await?, false));
    }
    match protocol_token(req) {
        Some(token) => Ok((validator.validate(&token).await?, true)),
        None => Err(TokenError::Missing.into()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn socket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<NotifyState>,
    validator: web::Data<TokenValidator>,
    query: web::Query<SocketQuery>,
) -> Result<HttpResponse, ApiError> {
    let (caller, by_protocol) =
        principal(&req, &state, &validator, query.ticket.as_deref()).await?;
    let expires_at = caller.expires_at;
    req.extensions_mut().insert(caller);
    let tenant = Tenant::extract(&req).await?;
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let (firm, user) = (reader.firm.0, reader.user.0);
    let visibility = reader.visibility.clone();
    let (deactivated, unread) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let gone = directory::deactivated(conn, user).await?;
            let unread =
                notifications::unread_count(conn, firm, user, &visibility, Utc::now()).await?;
            Ok((gone, unread))
        }
        .scope_boxed()
    })
    .await?;
    if deactivated {
        return Err(ApiError::permission_denied("This user is deactivated"));
    }
    let (mut response, ws, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError::new(
            ErrorCode::ValidationError,
            format!("Not a WebSocket upgrade: {e}"),
        )
    })?;
    if by_protocol {
        response.headers_mut().insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(BEARER_PROTOCOL),
        );
    }
    let hub = state.live.hub.clone();
    let (id, frames) = hub.register(firm, user);
    let plan = SessionPlan {
        hello: json!({ "type": "hello", "userId": user, "firmId": firm, "unreadCount": unread, "expiresAt": DateTime::from_timestamp(expires_at, 0) }).to_string(),
        expires_at,
        heartbeat: state.config.heartbeat,
        client_timeout: state.config.client_timeout,
    };
    let registration = Registration {
        hub,
        firm,
        user,
        id,
    };
    actix_web::rt::spawn(session::run(ws, stream, frames, plan, registration));
    Ok(response)
}

#[tracing::instrument(skip_all)]
pub async fn issue_ticket(
    state: web::Data<NotifyState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    access::reader(&state.authz, &tenant, READ).await?;
    let cache = state
        .cache
        .as_ref()
        .ok_or_else(|| ApiError::unavailable("no Redis for tickets"))?;
    let ttl = state.config.ticket_ttl;
    let ticket = ticket::issue(cache, &tenant.principal.token, ttl).await?;
    let expires_at = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    Ok(HttpResponse::Created().json(Ticket { ticket, expires_at }))
}
