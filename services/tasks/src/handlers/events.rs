//! `GET /api/v1/tasks/{id}/events` and `GET …/appointments/{id}/events`: the
//! audit trail from the events service, after the same check as reading it.

use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{load_task, task_item};
use crate::access::{self, APPOINTMENTS_READ, TASKS_READ};
use crate::input::list::PageQuery;
use crate::state::TasksState;

fn params(q: PageQuery) -> PageParams {
    PageParams {
        cursor: q.cursor,
        limit: q.limit,
    }
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn task(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let (task, people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load_task(conn, id, false).scope_boxed()
    })
    .await?;
    access::require(&access, TASKS_READ, &task_item(&task, me, &people))?;
    state
        .audit
        .page(tenant.firm_id, "task", id, &params(query.into_inner()))
        .await
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn appointment(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let loaded = with_tenant(&state.db, &tenant.ctx(), |conn| {
        super::appointments::load(conn, id, false).scope_boxed()
    })
    .await?;
    access::require(&access, APPOINTMENTS_READ, &loaded.item(me))?;
    state
        .audit
        .page(
            tenant.firm_id,
            "appointment",
            id,
            &params(query.into_inner()),
        )
        .await
}
