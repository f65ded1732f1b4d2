//! `GET /api/v1/messages/comments/{resourceType}/{resourceId}`: the
//! resource's threads (top-level comments oldest first, each with its replies)
//! and `POST` there: a comment or a reply, with its `@mentions` checked
//! against the firm's members, stored, and announced (`comment.mentioned`
//! per member) with `comment.created`, in one transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{Position, position, with_etag};
use crate::access::{self, COMMENTS_CREATE, COMMENTS_READ};
use crate::clients::CallerAuth;
use crate::comments::model::{Comment, CommentView, ThreadView};
use crate::comments::{self, events};
use crate::input::PageQuery;
use crate::input::comments::CreateComment;
use crate::state::MessagesState;
use crate::storage::comments as stored;

/// The canonical resource type of the path, or 404.
pub fn kind_of(raw: &str, id: Uuid) -> Result<&'static str, ApiError> {
    comments::resource_type(raw).ok_or_else(|| ApiError::not_found(raw, id))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<MessagesState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<(String, Uuid)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (raw, id) = path.into_inner();
    let kind = kind_of(&raw, id)?;
    let access = access::caller(&state.authz, &tenant).await?;
    comments::reach(
        &state,
        &tenant,
        &caller,
        &access,
        &[COMMENTS_READ],
        kind,
        id,
    )
    .await?;
    let page = query.page();
    let limit = page.limit()?;
    let after = position(&cursors, &page)?;
    let (roots, replies, mentions, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let roots = stored::threads(conn, kind, id, after, limit).await?;
            let ids: Vec<Uuid> = roots.iter().map(|c| c.id).collect();
            let replies = stored::replies(conn, &ids).await?;
            let all: Vec<Uuid> = ids
                .iter()
                .chain(replies.iter().map(|r| &r.id))
                .copied()
                .collect();
            let mentions = stored::mentions(conn, &all).await?;
            let total = stored::count_threads(conn, kind, id).await?;
            Ok((roots, replies, mentions, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(roots, limit, Some(total), |c: &Comment| {
        cursors.encode(&Position {
            at: c.created_at,
            id: c.id,
        })
    })?;
    let reply_views = comments::views(&replies, &mentions);
    let mut by_parent: std::collections::HashMap<Uuid, Vec<CommentView>> = Default::default();
    for view in reply_views {
        if let Some(parent) = view.parent_id {
            by_parent.entry(parent).or_default().push(view);
        }
    }
    let data = comments::views(&page.data, &mentions)
        .into_iter()
        .map(|comment| ThreadView {
            replies: by_parent.remove(&comment.id).unwrap_or_default(),
            comment,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: page.pagination,
    }))
}

fn bad_parent(id: Uuid, why: &str) -> ApiError {
    FieldErrors::single(
        "parentId",
        ErrorCode::InvalidFieldFormat,
        format!("{id}: {why}"),
    )
    .into()
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<MessagesState>,
    tenant: Tenant,
    caller: CallerAuth,
    path: web::Path<(String, Uuid)>,
    body: web::Json<CreateComment>,
) -> Result<HttpResponse, ApiError> {
    let (raw, id) = path.into_inner();
    let kind = kind_of(&raw, id)?;
    let access = access::caller(&state.authz, &tenant).await?;
    access.require_firm(COMMENTS_CREATE)?;
    let author = tenant
        .principal
        .user_id
        .map(|u| u.0)
        .ok_or_else(|| ApiError::permission_denied("A comment is written by a user"))?;
    let parent = comments::reach(
        &state,
        &tenant,
        &caller,
        &access,
        &[COMMENTS_READ, COMMENTS_CREATE],
        kind,
        id,
    )
    .await?;
    let input = body.into_inner().validate()?;
    comments::check_members(&state, tenant.firm_id, &input.mentions).await?;
    let now = Utc::now();
    let comment = Comment {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        resource_type: kind.to_owned(),
        resource_id: id,
        matter_id: parent.matter_id,
        parent_id: input.parent_id,
        author_user_id: author,
        body: input.body,
        attachments: input.attachments,
        edited_at: None,
        deleted_at: None,
        deleted_by: None,
        created_at: now,
        updated_at: now,
    };
    let mentions = input.mentions;
    let (created, mentioned) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            if let Some(parent_id) = comment.parent_id {
                let parent = stored::find(conn, parent_id)
                    .await?
                    .ok_or_else(|| bad_parent(parent_id, "no such comment here"))?;
                if parent.resource_type != comment.resource_type
                    || parent.resource_id != comment.resource_id
                {
                    return Err(bad_parent(parent_id, "a comment on another resource"));
                }
                if parent.parent_id.is_some() {
                    return Err(bad_parent(parent_id, "a reply; threads are one level deep"));
                }
            }
            let created = stored::insert(conn, comment).await?;
            let added = stored::set_mentions(conn, created.firm_id, created.id, &mentions).await?;
            events::created(conn, &created).await?;
            events::mentioned(conn, &created, &added).await?;
            Ok((created, added))
        }
        .scope_boxed()
    })
    .await?;
    let view = CommentView::new(&created, mentioned);
    Ok(with_etag(StatusCode::CREATED, &created.etag(), &view))
}
