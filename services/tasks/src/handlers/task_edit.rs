//! Data edits (PATCH partial, PUT whole, `If-Match`), soft delete (with the
//! subtasks), archive and restore.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{check_fresh, if_match, load_task, respond_task, task_item};
use crate::access::{self, TASKS_DELETE, TASKS_UPDATE};
use crate::input::task::{ReplaceTask, UpdateTask};
use crate::state::TasksState;
use crate::storage::tasks;

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn update(
    state: web::Data<TasksState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateTask>,
) -> Result<HttpResponse, ApiError> {
    edit(state, tenant, req, path.into_inner(), body.into_inner()).await
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn replace(
    state: web::Data<TasksState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ReplaceTask>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner().into_patch()?;
    edit(state, tenant, req, path.into_inner(), patch).await
}

async fn edit(
    state: web::Data<TasksState>,
    tenant: Tenant,
    req: HttpRequest,
    id: Uuid,
    patch: UpdateTask,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let valid = patch.validate()?;
    let mut changes = valid.changes;
    if let Some(due) = valid.due {
        let resolved = match due {
            Some(d) if d.time_zone.is_none() => {
                let firm = state
                    .firms
                    .get(tenant.firm_id, &tenant.principal.token)
                    .await?;
                Some(d.resolve(firm.time_zone))
            }
            Some(d) => Some(d.resolve(chrono_tz::Tz::UTC)),
            None => None,
        };
        changes.due_at = Some(resolved.as_ref().map(|r| r.0));
        changes.due_date = Some(resolved.as_ref().and_then(|r| r.1));
        changes.due_time_zone = Some(resolved.map(|r| r.2));
    }
    let (expected, me) = (if_match(&req), tenant.principal.user_id.map(|u| u.0));
    let (task, people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (current, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_UPDATE, &task_item(&current, me, &people))?;
            check_fresh(expected.as_deref(), &current.etag())?;
            let task = tasks::update_data(conn, id, changes, me).await?;
            Ok((task, people))
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond_task(StatusCode::OK, &task, people))
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn delete(
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
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (current, people) = load_task(conn, id, true).await?;
            access::require(&access, TASKS_DELETE, &task_item(&current, me, &people))?;
            tasks::soft_delete(conn, id, me).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_archived(
    state: web::Data<TasksState>,
    tenant: Tenant,
    id: Uuid,
    archived: bool,
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
            if current.archived_at.is_some() == archived {
                let verb = if archived { "archived" } else { "not archived" };
                return Err(ApiError::new(
                    lawos_core::ErrorCode::InvalidStageTransition,
                    format!("The task is {verb} already"),
                ));
            }
            Ok((tasks::set_archived(conn, id, archived, me).await?, people))
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond_task(StatusCode::OK, &task, people))
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn archive(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), true).await
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn restore(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, tenant, path.into_inner(), false).await
}
