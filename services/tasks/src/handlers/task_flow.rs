//! A task's lifecycle and assignees: `PUT /{id}/assign` (the whole set, each new
//! assignee a firm member who reaches the matter; `assignment.created` /
//! `assignment.removed`), `PUT /{id}/complete` (`task.completed`),
//! `PUT /{id}/reopen` (`task.reopened`) and `PUT /{id}/status`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{load_task, respond_task, task_item};
use crate::access::{self, TASKS_READ, TASKS_UPDATE};
use crate::events;
use crate::input::task::{AssignBody, StatusBody};
use crate::people;
use crate::state::TasksState;
use crate::status::{Status, invalid_transition};
use crate::storage::{assignments, tasks};

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn assign(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let wanted = body.into_inner().validate()?;
    let (task, current) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load_task(conn, id, false).scope_boxed()
    })
    .await?;
    let item = task_item(&task, me, &current);
    access::require(&access, TASKS_UPDATE, &item)?;
    let added: Vec<(String, Uuid)> = wanted
        .iter()
        .enumerate()
        .filter(|(_, u)| !current.contains(u))
        .map(|(i, u)| (format!("assigneeUserIds[{i}]"), *u))
        .collect();
    people::check(&state.authz, tenant.firm_id, TASKS_READ, item, &added).await?;
    let (task, now) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (task, current) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&task, me, &current))?;
            for gone in current.iter().filter(|u| !wanted.contains(u)) {
                assignments::remove(conn, id, *gone, me).await?;
                events::assignment(conn, &task, false, *gone, me).await?;
            }
            for new in wanted.iter().filter(|u| !current.contains(u)) {
                assignments::add(conn, task.firm_id, id, *new, me).await?;
                events::assignment(conn, &task, true, *new, me).await?;
            }
            Ok((task, wanted))
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond_task(StatusCode::OK, &task, now))
}

/// Moves the task to `to` (`reopen`: only from DONE or CANCELLED), with its events.
async fn move_to(
    state: web::Data<TasksState>,
    tenant: Tenant,
    id: Uuid,
    to: Status,
    reopen: bool,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let (task, people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (current, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&current, me, &people))?;
            let from = current.status();
            if !from.may_become(to) || (reopen && from.is_active()) {
                return Err(invalid_transition(from, to));
            }
            let task = tasks::set_status(conn, id, to.as_str(), me).await?;
            if to == Status::Done {
                events::completed(conn, &task, &people).await?;
            } else if to == Status::Open && !from.is_active() {
                events::reopened(conn, &task, from.as_str(), me).await?;
            }
            Ok((task, people))
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond_task(StatusCode::OK, &task, people))
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn complete(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    move_to(state, tenant, path.into_inner(), Status::Done, false).await
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn reopen(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    move_to(state, tenant, path.into_inner(), Status::Open, true).await
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn status(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<StatusBody>,
) -> Result<HttpResponse, ApiError> {
    let to = body.into_inner().validate()?;
    move_to(state, tenant, path.into_inner(), to, false).await
}
