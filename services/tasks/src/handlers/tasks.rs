//! Tasks: create (matter checked at matters, assignees checked), get, list
//! (filtered in SQL by what the caller may see), the caller's open tasks.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{load_task, respond_task, task_item};
use crate::access::{self, Item, TASK, TASKS_CREATE, TASKS_READ, Visibility};
use crate::events;
use crate::input::list::{PageQuery, TaskListQuery};
use crate::input::task::CreateTask;
use crate::model::{NewTask, Task};
use crate::people;
use crate::state::TasksState;
use crate::storage::tasks::MinePosition;
use crate::storage::{assignments, tasks};

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<TasksState>,
    tenant: Tenant,
    body: web::Json<CreateTask>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    access.require_firm(TASKS_CREATE)?;
    let valid = body.into_inner().validate()?;
    let (id, me) = (Uuid::now_v7(), tenant.principal.user_id.map(|u| u.0));
    // A subtask takes its parent's matter; the parent must be a top-level task the caller reads.
    let parent = match valid.parent_id {
        Some(p) => Some(parent_of(&state, &tenant, &access, p, valid.matter_id).await?),
        None => None,
    };
    let matter = parent.as_ref().map_or(valid.matter_id, |p| p.matter_id);
    let item = Item {
        kind: TASK,
        id,
        matter,
        involved: true,
    };
    access::require(&access, TASKS_CREATE, &item)?;
    if let (Some(m), None) = (matter, &parent) {
        state.matters.require_matter(tenant.firm_id, m).await?;
    }
    let due = match valid.due {
        Some(due) if due.time_zone.is_none() => {
            let firm = state
                .firms
                .get(tenant.firm_id, &tenant.principal.token)
                .await?;
            Some(due.resolve(firm.time_zone))
        }
        Some(due) => Some(due.resolve(chrono_tz::Tz::UTC)),
        None => None,
    };
    let named: Vec<(String, Uuid)> = valid
        .assignees
        .iter()
        .enumerate()
        .map(|(i, u)| (format!("assigneeUserIds[{i}]"), *u))
        .collect();
    people::check(&state.authz, tenant.firm_id, TASKS_READ, item, &named).await?;
    let firm = tenant.firm_id.0;
    let (task, assignees) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let (due_at, due_date, due_time_zone) = match due {
                Some((at, date, zone)) => (Some(at), date, Some(zone)),
                None => (None, None, None),
            };
            let new = NewTask {
                id,
                firm_id: firm,
                matter_id: matter,
                parent_id: valid.parent_id,
                title: valid.title,
                description: valid.description,
                priority: valid.priority,
                due_at,
                due_date,
                due_time_zone,
                created_by: me,
                updated_by: me,
            };
            let task = tasks::insert(conn, new).await?;
            for user in &valid.assignees {
                assignments::add(conn, firm, task.id, *user, me).await?;
                events::assignment(conn, &task, true, *user, me).await?;
            }
            Ok((task, valid.assignees))
        }
        .scope_boxed()
    })
    .await?;
    let mut res = respond_task(StatusCode::CREATED, &task, assignees);
    if let Ok(location) = format!("/api/v1/tasks/{}", task.id).parse() {
        res.headers_mut().insert(LOCATION, location);
    }
    Ok(res)
}

/// The parent of a new subtask: readable by the caller, top-level, and of the
/// same matter as the body names (if it names one).
async fn parent_of(
    state: &TasksState,
    tenant: &Tenant,
    access: &lawos_authz::Access,
    parent: Uuid,
    matter: Option<Uuid>,
) -> Result<Task, ApiError> {
    let me = tenant.principal.user_id.map(|u| u.0);
    let missing = || {
        FieldErrors::single("parentId", ErrorCode::ResourceNotFound, "no such task")
            .into_api_error()
    };
    let (task, people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load_task(conn, parent, false).scope_boxed()
    })
    .await
    .map_err(|e| {
        if e.code == ErrorCode::ResourceNotFound {
            missing()
        } else {
            e
        }
    })?;
    access::require(access, TASKS_READ, &task_item(&task, me, &people)).map_err(|_| missing())?;
    let mut errors = FieldErrors::new();
    if task.parent_id.is_some() {
        errors.add(
            "parentId",
            ErrorCode::InvalidFieldFormat,
            "subtasks are one level deep: the parent is a subtask",
        );
    }
    if matter.is_some_and(|m| Some(m) != task.matter_id) {
        errors.add(
            "matterId",
            ErrorCode::InvalidFieldFormat,
            "a subtask belongs to its parent's matter",
        );
    }
    errors.into_result()?;
    Ok(task)
}

#[tracing::instrument(skip_all, fields(task_id = %path))]
pub async fn get(
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
    let (task, people) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load_task(conn, id, false).scope_boxed()
    })
    .await?;
    access::require(&access, TASKS_READ, &task_item(&task, me, &people))?;
    Ok(respond_task(StatusCode::OK, &task, people))
}

/// Views of `rows` with their assignees, as a page.
async fn page_of(
    state: &TasksState,
    tenant: &Tenant,
    rows: Vec<Task>,
    limit: i64,
    cursor_of: impl FnOnce(&Task) -> Result<String, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_rows(rows, limit, None, cursor_of)?;
    let ids: Vec<Uuid> = page.data.iter().map(|t| t.id).collect();
    let mut people = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { assignments::assignees_of(conn, &ids).await }.scope_boxed()
    })
    .await?;
    let now = Utc::now();
    let data: Vec<_> = page
        .data
        .iter()
        .map(|t| t.view(people.remove(&t.id).unwrap_or_default(), now))
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: page.pagination,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<TasksState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<TaskListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let visible = Visibility::of(&access, TASKS_READ)?;
    let filter = query
        .into_inner()
        .validate(&cursors, tenant.principal.user_id.map(|u| u.0))?;
    let f = filter.clone();
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { tasks::list(conn, &f, &visible).await }.scope_boxed()
    })
    .await?;
    page_of(&state, &tenant, rows, filter.limit, |t| {
        cursors.encode(&filter.position(t.created_at, t.due_at, t.id))
    })
    .await
}

#[tracing::instrument(skip_all)]
pub async fn mine(
    state: web::Data<TasksState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let visible = Visibility::of(&access, TASKS_READ)?;
    let me =
        tenant.principal.user_id.map(|u| u.0).ok_or_else(|| {
            ApiError::permission_denied("A service token has no tasks of its own")
        })?;
    let (after, limit) = query.into_inner().validate::<MinePosition>(&cursors)?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { tasks::mine(conn, me, &visible, after.as_ref(), limit).await }.scope_boxed()
    })
    .await?;
    page_of(&state, &tenant, rows, limit, |t| {
        cursors.encode(&MinePosition {
            due: t.due_at,
            id: t.id,
        })
    })
    .await
}
