//! `GET /api/v1/notifications/` (the caller's own, newest first), `GET /{id}`
//! and `GET /{id}/deliveries`.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, READ};
use crate::input::ListPosition as Position;
use crate::input::ListQuery;
use crate::model::{DeliveryView, NotificationView};
use crate::state::NotifyState;
use crate::storage::{deliveries, notifications};

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Notification", id)
}

/// One of the reader's notifications that they may see now, else 404.
async fn visible(
    conn: &mut lawos_db::AsyncPgConnection,
    reader: &access::Reader,
    id: Uuid,
) -> Result<crate::model::Notification, ApiError> {
    notifications::find(
        conn,
        reader.firm.0,
        reader.user.0,
        id,
        &reader.visibility,
        Utc::now(),
    )
    .await?
    .ok_or_else(|| not_found(id))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<NotifyState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let valid = query.into_inner().validate(&cursors)?;
    let now = Utc::now();
    let (firm, user) = (reader.firm.0, reader.user.0);
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = notifications::list(
                conn,
                firm,
                user,
                &reader.visibility,
                &valid.filter,
                valid.limit,
                now,
            )
            .await?;
            let total =
                notifications::count(conn, firm, user, &reader.visibility, &valid.filter, now)
                    .await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let views: Vec<NotificationView> = rows.into_iter().map(Into::into).collect();
    let page = Page::from_rows(views, valid.limit, Some(total), |n: &NotificationView| {
        cursors.encode(&Position { id: n.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(notification_id = %path))]
pub async fn get(
    state: web::Data<NotifyState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let found = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { visible(conn, &reader, id).await }.scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(NotificationView::from(found)))
}

#[tracing::instrument(skip_all, fields(notification_id = %path))]
pub async fn deliveries(
    state: web::Data<NotifyState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            visible(conn, &reader, id).await?;
            deliveries::of_notification(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    let views: Vec<DeliveryView> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "data": views })))
}
