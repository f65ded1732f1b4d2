//! A firm's users (Admin API): `GET /api/v1/auth/firms/{firmId}/users` lists the
//! firm's profiles (active or not), `POST` provisions a user (see
//! `crate::provisioning`; through the Logto bridge when it is configured and the
//! firm has an organization). Platform administrators (`users:read` /
//! `users:create`) or the firm's own FIRM_ADMIN; another firm answers 404.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use uuid::Uuid;

use crate::access::{self, USERS_CREATE, USERS_READ};
use crate::input::provision::ProvisionUser;
use crate::input::queries::MemberQuery;
use crate::logto::Bridge;
use crate::provisioning;
use crate::rbac::RbacClient;
use crate::state::AuthState;
use crate::storage::directory;
use crate::views::AdminUser;

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn list(
    state: web::Data<AuthState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_READ)?;
    let (filter, page, limit) = query.into_inner().validate(false)?;
    let after = super::after(&cursors, &page)?;
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let rows = directory::list_members(conn, firm_id, &filter, after, limit).await?;
            let total = directory::count_members(conn, firm_id, &filter).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let users: Vec<AdminUser> = rows
        .into_iter()
        .map(|(u, p)| AdminUser::new(u, vec![p]))
        .collect();
    let page = Page::from_rows(users, limit, Some(total), |u: &AdminUser| {
        super::cursor(&cursors, u.user.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn provision(
    state: web::Data<AuthState>,
    rbac: web::Data<RbacClient>,
    bridge: web::Data<Bridge>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<ProvisionUser>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_CREATE)?;
    let valid = body.into_inner().validate(bridge.is_configured())?;
    let provisioned =
        provisioning::provision(&state.db, &rbac, &bridge, &ctx, firm_id, valid).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!("/api/v1/auth/users/{}", provisioned.user.user.id),
        ))
        .json(provisioned))
}
