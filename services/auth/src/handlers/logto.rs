//! The Logto bridge (Admin API, Backstage §2.2.3). A firm's routes answer to
//! platform administrators (`users:*` scopes) and to the firm's own
//! FIRM_ADMIN; another firm answers 404, anyone else 403. The organization and
//! role lists answer to platform administrators (every organization) and to
//! FIRM_ADMINs (their firm's). See `crate::logto` for how writes stay whole.

use actix_web::http::header::{ETAG, IF_MATCH, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use serde_json::json;
use uuid::Uuid;

use crate::access::{self, USERS_CREATE, USERS_READ, USERS_UPDATE};
use crate::input::logto::{AddMember, ListQuery, ReplaceRoles};
use crate::logto::model::{LogtoOrg, Membership};
use crate::logto::{Bridge, members, storage, sync};
use crate::state::AuthState;

#[tracing::instrument(skip_all)]
pub async fn orgs(
    state: web::Data<AuthState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_READ)?;
    let (page, limit) = query.into_inner().validate()?;
    let after = super::after(&cursors, &page)?;
    let (rows, total) = with_tenant(&state.db, reach.ctx(), |conn| {
        storage::list_orgs(conn, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |o: &LogtoOrg| {
        super::cursor(&cursors, o.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn roles(
    bridge: web::Data<Bridge>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    access::users(&principal, USERS_READ)?;
    let roles = bridge.client()?.organization_roles().await?;
    Ok(HttpResponse::Ok().json(json!({ "data": roles })))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn sync(
    state: web::Data<AuthState>,
    bridge: web::Data<Bridge>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_UPDATE)?;
    let report = sync::sync(&state.db, &bridge, &ctx, firm_id).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn list_members(
    state: web::Data<AuthState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_READ)?;
    let (page, limit) = query.into_inner().validate()?;
    let after = super::after(&cursors, &page)?;
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        storage::list_members(conn, firm_id, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |m: &Membership| {
        super::cursor(&cursors, m.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0))]
pub async fn add_member(
    state: web::Data<AuthState>,
    bridge: web::Data<Bridge>,
    principal: Principal,
    path: web::Path<(Uuid,)>,
    body: web::Json<AddMember>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner().0;
    let ctx = access::firm_users(&principal, firm_id, USERS_CREATE)?;
    let valid = body.into_inner().validate()?;
    let member = members::add(&state.db, &bridge, &ctx, firm_id, valid).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!("/api/v1/auth/firms/{firm_id}/logto/members/{}", member.id),
        ))
        .json(member))
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0, member_id = %path.1))]
pub async fn get_member(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, member_id) = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_READ)?;
    let member = members::find(&state.db, &ctx, firm_id, member_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, member.etag()))
        .json(member))
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0, member_id = %path.1))]
pub async fn remove_member(
    state: web::Data<AuthState>,
    bridge: web::Data<Bridge>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, member_id) = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_UPDATE)?;
    members::remove(&state.db, &bridge, &ctx, firm_id, member_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0, member_id = %path.1))]
pub async fn replace_roles(
    req: HttpRequest,
    state: web::Data<AuthState>,
    bridge: web::Data<Bridge>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReplaceRoles>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, member_id) = path.into_inner();
    let ctx = access::firm_users(&principal, firm_id, USERS_UPDATE)?;
    let role_ids = body.into_inner().validate()?;
    let if_match = req.headers().get(IF_MATCH).and_then(|v| v.to_str().ok());
    let member = members::replace_roles(
        &state.db, &bridge, &ctx, firm_id, member_id, role_ids, if_match,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, member.etag()))
        .json(member))
}
