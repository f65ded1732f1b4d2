//! A task's checklist (`/{id}/checklist`, reading it needs `tasks:read`,
//! changing it `tasks:update`) and its subtasks (`/{id}/subtasks`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, Page, Pagination};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{load_task, task_item};
use crate::access::{self, TASKS_READ, TASKS_UPDATE};
use crate::input::task::ChecklistBody;
use crate::state::TasksState;
use crate::storage::{assignments, checklist, tasks};

fn whole<T: serde::Serialize>(data: Vec<T>) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        data,
        pagination: Pagination {
            next_cursor: None,
            has_more: false,
            total: None,
        },
    })
}

fn item_not_found(id: Uuid) -> ApiError {
    ApiError::not_found("ChecklistItem", id)
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn list(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let items = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, people) = load_task(conn, id, false).await?;
            access::require(&access, TASKS_READ, &task_item(&task, me, &people))?;
            checklist::list(conn, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(whole(items))
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn add(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<ChecklistBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let body = body.into_inner();
    body.validate(true)?;
    let item = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&task, me, &people))?;
            checklist::insert(conn, task.firm_id, id, &body, me).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(item))
}

#[tracing::instrument(skip_all, fields(task_id = %path.0, item_id = %path.1))]
pub async fn update(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ChecklistBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, item_id) = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let body = body.into_inner();
    body.validate(false)?;
    let item = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&task, me, &people))?;
            let current = checklist::lock(conn, id, item_id)
                .await?
                .ok_or_else(|| item_not_found(item_id))?;
            checklist::update(conn, &current, &body, me).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::OK).json(item))
}

#[tracing::instrument(skip_all, fields(task_id = %path.0, item_id = %path.1))]
pub async fn remove(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, item_id) = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&task, me, &people))?;
            checklist::lock(conn, id, item_id)
                .await?
                .ok_or_else(|| item_not_found(item_id))?;
            checklist::delete(conn, item_id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The task's live subtasks (one level), in creation order.
#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn subtasks(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let (rows, mut people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, people) = load_task(conn, id, false).await?;
            access::require(&access, TASKS_READ, &task_item(&task, me, &people))?;
            let rows = tasks::subtasks(conn, id).await?;
            let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
            Ok((rows, assignments::assignees_of(conn, &ids).await?))
        }
        .scope_boxed()
    })
    .await?;
    let now = Utc::now();
    Ok(whole(
        rows.iter()
            .map(|t| t.view(people.remove(&t.id).unwrap_or_default(), now))
            .collect(),
    ))
}
