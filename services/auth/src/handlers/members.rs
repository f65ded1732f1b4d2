//! `GET /api/v1/auth/members` and `GET /api/v1/auth/members/{userId}`: the
//! caller's own firm's active members (the firm is the token's; another firm's
//! user is not there: 404). A service reads the firm it names in `X-Firm-Id`.

use actix_web::{HttpRequest, HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use uuid::Uuid;

use crate::access;
use crate::input::queries::MemberQuery;
use crate::state::AuthState;
use crate::storage::directory;
use crate::views::Member;

fn firm_header(req: &HttpRequest) -> Option<&str> {
    req.headers().get("x-firm-id").and_then(|v| v.to_str().ok())
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AuthState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    req: HttpRequest,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, ctx) = access::members_for(&principal, firm_header(&req))?;
    let (filter, page, limit) = query.into_inner().validate(true)?;
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
    let members: Vec<Member> = rows.into_iter().map(|(u, p)| Member::new(u, p)).collect();
    let page = Page::from_rows(members, limit, Some(total), |m: &Member| {
        super::cursor(&cursors, m.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn get(
    state: web::Data<AuthState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, ctx) = access::members_for(&principal, firm_header(&req))?;
    let user_id = path.into_inner();
    let (user, profile) = with_tenant(&state.db, &ctx, |conn| {
        directory::find_member(conn, firm_id, user_id).scope_boxed()
    })
    .await?
    .ok_or_else(|| access::user_not_found(user_id))?;
    Ok(HttpResponse::Ok().json(Member::new(user, profile)))
}
