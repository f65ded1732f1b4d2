//! One file per flow: channels (list, create, get), edits, archive/restore,
//! participants, the audit trail, SMS find-or-create, the thread.

pub mod calls;
pub mod channels;
pub mod edit;
pub mod events;
pub mod lifecycle;
pub mod livekit;
pub mod participants;
pub mod sms;
pub mod thread;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use lawos_authz::Access;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access;
use crate::model::Loaded;
use crate::state::ChannelsState;
use crate::storage::channels as stored;

/// The `If-Match` header, unless absent or `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

/// 412 when the client's `If-Match` is not the channel's current ETag.
pub(crate) fn check_fresh(expected: Option<&str>, current: &Loaded) -> Result<(), ApiError> {
    match expected {
        Some(etag) if etag != current.row.etag() => Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "The channel was changed since you read it",
        )
        .with_details(serde_json::json!({ "etag": current.row.etag() }))),
        _ => Ok(()),
    }
}

/// One channel with its ETag.
pub(crate) fn respond(status: StatusCode, channel: &Loaded) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((ETAG, channel.row.etag()));
    if status == StatusCode::CREATED {
        res.insert_header((LOCATION, format!("/api/v1/channels/{}", channel.row.id)));
    }
    res.json(channel.view())
}

/// The caller's access in the firm.
pub(crate) async fn caller(state: &ChannelsState, tenant: &Tenant) -> Result<Access, ApiError> {
    state.authz.access(&tenant.principal, tenant.firm_id).await
}

/// Channel `id` if the caller may use `scope` on it (404 / 403 otherwise).
pub(crate) async fn visible(
    state: &ChannelsState,
    tenant: &Tenant,
    id: Uuid,
    scope: &'static str,
) -> Result<Loaded, ApiError> {
    Ok(visible_with(state, tenant, id, scope).await?.1)
}

/// [`visible`], with the caller's access (for further decisions).
pub(crate) async fn visible_with(
    state: &ChannelsState,
    tenant: &Tenant,
    id: Uuid,
    scope: &'static str,
) -> Result<(Access, Loaded), ApiError> {
    let access = caller(state, tenant).await?;
    let user = tenant.principal.user_id.map(|u| u.0);
    let decided = access.clone();
    let channel = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { locked_for(conn, &decided, user, id, scope, false).await }.scope_boxed()
    })
    .await?;
    Ok((access, channel))
}

/// Channel `id` (locked when `lock`), if `user` may use `scope` on it.
pub(crate) async fn locked_for(
    conn: &mut AsyncPgConnection,
    access: &Access,
    user: Option<Uuid>,
    id: Uuid,
    scope: &str,
    lock: bool,
) -> Result<Loaded, ApiError> {
    let found = if lock {
        stored::lock(conn, id).await?
    } else {
        stored::find(conn, id).await?
    };
    let channel = found.ok_or_else(|| access::not_found(id))?;
    access::require(access, &channel, user, scope)?;
    Ok(channel)
}

/// The channel as it is now (after a change in this transaction).
pub(crate) async fn reload(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Loaded, ApiError> {
    stored::find(conn, id)
        .await?
        .ok_or_else(|| access::not_found(id))
}
