//! `PATCH /api/v1/messages/comments/{commentId}`: a new body by the author
//! only (403 for anyone else; `comments:update` needed), `If-Match` honoured
//! (412), the previous body kept, newly mentioned members announced;
//! `DELETE`: soft, by the author or a firm administrator. The caller must
//! reach the comment's resource (else 404).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_authz::Access;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{check_fresh, if_match, with_etag};
use crate::access::{self, COMMENTS_READ, COMMENTS_UPDATE};
use crate::clients::CallerAuth;
use crate::comments::model::{Comment, CommentView, EditView};
use crate::comments::{self, events};
use crate::input::comments::EditComment;
use crate::state::MessagesState;
use crate::storage::comments as stored;

fn comment_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Comment", id)
}

/// Comment `id` if the caller reaches its resource under `scopes` (404 when not).
async fn reachable(
    state: &MessagesState,
    tenant: &Tenant,
    caller: &CallerAuth,
    scopes: &[&str],
    id: Uuid,
) -> Result<(Comment, Access), ApiError> {
    let access = access::caller(&state.authz, tenant).await?;
    let comment = with_tenant(&state.db, &tenant.ctx(), |conn| {
        stored::find(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| comment_not_found(id))?;
    let kind =
        comments::resource_type(&comment.resource_type).ok_or_else(|| comment_not_found(id))?;
    comments::reach(
        state,
        tenant,
        caller,
        &access,
        scopes,
        kind,
        comment.resource_id,
    )
    .await
    .map_err(|e| {
        if e.code == lawos_core::ErrorCode::ResourceNotFound {
            comment_not_found(id)
        } else {
            e
        }
    })?;
    Ok((comment, access))
}

#[tracing::instrument(skip_all, fields(comment_id = %path))]
pub async fn update(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<EditComment>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (comment, _) = reachable(
        &state,
        &tenant,
        &caller,
        &[COMMENTS_READ, COMMENTS_UPDATE],
        id,
    )
    .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    if me != Some(comment.author_user_id) {
        return Err(ApiError::permission_denied(
            "Only the author edits a comment",
        ));
    }
    let (text, mentions) = body.into_inner().validate()?;
    comments::check_members(&state, tenant.firm_id, &mentions).await?;
    let expected = if_match(&req);
    let (changed, all, edits) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = stored::find_for_update(conn, id)
                .await?
                .ok_or_else(|| comment_not_found(id))?;
            check_fresh(expected.as_deref(), &current.etag())?;
            let changed = stored::edit(conn, &current, text, me, Utc::now()).await?;
            let added = stored::set_mentions(conn, changed.firm_id, id, &mentions).await?;
            events::updated(conn, &changed).await?;
            events::mentioned(conn, &changed, &added).await?;
            let edits = stored::edits(conn, id).await?;
            Ok((changed, mentions, edits))
        }
        .scope_boxed()
    })
    .await?;
    let mut view = CommentView::new(&changed, all);
    view.edits = edits
        .into_iter()
        .map(|e| EditView {
            previous_body: e.previous_body,
            edited_by: e.edited_by,
            edited_at: e.edited_at,
        })
        .collect();
    Ok(with_etag(StatusCode::OK, &changed.etag(), &view))
}

#[tracing::instrument(skip_all, fields(comment_id = %path))]
pub async fn delete(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (comment, access) = reachable(&state, &tenant, &caller, &[COMMENTS_READ], id).await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    if me != Some(comment.author_user_id) && !access::is_firm_admin(&access) {
        return Err(ApiError::permission_denied(
            "Only the author or a firm administrator deletes a comment",
        ));
    }
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            stored::find_for_update(conn, id)
                .await?
                .ok_or_else(|| comment_not_found(id))?;
            let gone = stored::soft_delete(conn, id, me, Utc::now()).await?;
            events::deleted(conn, &gone).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
