//! Reading: `POST /{id}/read`, `POST /mark-all-read` (one statement,
//! idempotent) and `GET /unread-count`. Each change of the count is pushed to
//! the user's sockets on every instance.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::access::{self, READ, Reader, UPDATE};
use crate::live::LiveMessage;
use crate::model::NotificationView;
use crate::state::NotifyState;
use crate::storage::notifications;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnreadCount {
    pub unread_count: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkedAll {
    /// How many were unread and are read now (0 when called again).
    pub marked: i64,
    pub unread_count: i64,
}

async fn push_count(state: &NotifyState, reader: &Reader, unread_count: i64) {
    state
        .live
        .publish(&LiveMessage::Unread {
            firm_id: reader.firm.0,
            user_id: reader.user.0,
            unread_count,
        })
        .await;
}

#[tracing::instrument(skip_all, fields(notification_id = %path))]
pub async fn read_one(
    state: web::Data<NotifyState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reader = access::reader(&state.authz, &tenant, UPDATE).await?;
    let (firm, user, visibility) = (reader.firm.0, reader.user.0, reader.visibility.clone());
    let (row, changed, unread) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let now = Utc::now();
            let visible = notifications::find(conn, firm, user, id, &visibility, now)
                .await?
                .ok_or_else(|| ApiError::not_found("Notification", id))?;
            let marked = notifications::mark_read(conn, firm, user, id, now).await?;
            let changed = marked.is_some();
            let unread = notifications::unread_count(conn, firm, user, &visibility, now).await?;
            Ok((marked.unwrap_or(visible), changed, unread))
        }
        .scope_boxed()
    })
    .await?;
    if changed {
        push_count(&state, &reader, unread).await;
    }
    Ok(HttpResponse::Ok().json(NotificationView::from(row)))
}

#[tracing::instrument(skip_all)]
pub async fn mark_all(
    state: web::Data<NotifyState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let reader = access::reader(&state.authz, &tenant, UPDATE).await?;
    let (firm, user, visibility) = (reader.firm.0, reader.user.0, reader.visibility.clone());
    let (marked, unread) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let now = Utc::now();
            let marked = notifications::mark_all_read(conn, firm, user, now).await?;
            let unread = notifications::unread_count(conn, firm, user, &visibility, now).await?;
            Ok((marked, unread))
        }
        .scope_boxed()
    })
    .await?;
    if marked > 0 {
        push_count(&state, &reader, unread).await;
    }
    Ok(HttpResponse::Ok().json(MarkedAll {
        marked: i64::try_from(marked).unwrap_or(i64::MAX),
        unread_count: unread,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn unread_count(
    state: web::Data<NotifyState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let unread_count = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            notifications::unread_count(
                conn,
                reader.firm.0,
                reader.user.0,
                &reader.visibility,
                Utc::now(),
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnreadCount { unread_count }))
}
