//! The Admin API's users: `GET /api/v1/auth/users/search?q=` (platform
//! administrators), `GET/PATCH/DELETE /api/v1/auth/users/{userId}` (platform
//! administrators, or the FIRM_ADMIN of a firm the user belongs to). DELETE
//! deactivates; `?erase=true` (platform administrators) is GDPR erasure.
//! Nobody deactivates or erases themself (409 `SELF_DEACTIVATION`), and the
//! last active system administrator stays (409 `LAST_SYSTEM_ADMIN`).

use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::access::{self, USERS_DELETE, USERS_READ, USERS_UPDATE};
use crate::input::queries::SearchQuery;
use crate::input::user_patch::UserPatch;
use crate::state::AuthState;
use crate::storage::directory;
use crate::user_admin;
use crate::views::{AdminUser, UserView};

#[tracing::instrument(skip_all)]
pub async fn search(
    state: web::Data<AuthState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::platform(&principal, USERS_READ)?;
    let (q, page, limit) = query.into_inner().validate()?;
    let after = super::after(&cursors, &page)?;
    let rows = with_tenant(&state.db, &ctx, |conn| {
        async move { directory::search_users(conn, &q, after, limit).await }.scope_boxed()
    })
    .await?;
    let users: Vec<UserView> = rows.into_iter().map(UserView::from).collect();
    let page = Page::from_rows(users, limit, None, |u: &UserView| {
        super::cursor(&cursors, u.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn get(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_READ)?;
    let (id, firm) = (path.into_inner(), reach.firm());
    let (user, profiles) = with_tenant(&state.db, reach.ctx(), |conn| {
        user_admin::load(conn, firm, id, false).scope_boxed()
    })
    .await?;
    let user = AdminUser::new(user, profiles);
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, user.etag().to_owned()))
        .json(user))
}

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn update(
    state: web::Data<AuthState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_UPDATE)?;
    let patch = UserPatch::parse(body.into_inner())?;
    let (id, firm) = (path.into_inner(), reach.firm());
    let if_match = req
        .headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let user = with_tenant(&state.db, reach.ctx(), |conn| {
        user_admin::update(conn, firm, id, patch, if_match).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, user.etag().to_owned()))
        .json(user))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    #[serde(default)]
    erase: bool,
}

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn delete(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    user_admin::not_oneself(principal.user_id.map(|u| u.0), id)?;
    if query.erase {
        let ctx = access::platform(&principal, USERS_DELETE)?;
        with_tenant(&state.db, &ctx, |conn| {
            user_admin::erase(conn, id).scope_boxed()
        })
        .await?;
    } else {
        let reach = access::users(&principal, USERS_DELETE)?;
        let firm = reach.firm();
        with_tenant(&state.db, reach.ctx(), |conn| {
            user_admin::deactivate(conn, firm, id).scope_boxed()
        })
        .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}
