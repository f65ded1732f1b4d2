//! Timers: start, pause, resume, stop (→ a DRAFT time entry with the rate in
//! force frozen on it). At most one runs per user; a timer is a row, so it
//! survives restarts. A timer is its owner's only (others get 404).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::entries::{matter_for_new, new_entry};
use super::{created, today, user_of};
use crate::access::{self, TE_CREATE, TE_READ, TIME_ENTRY};
use crate::input::lists::{PageQuery, TimePosition};
use crate::input::time::{MINUTES_MAX, StartTimer, StopTimer, ValidTimeEntry};
use crate::lifecycle::transition_error;
use crate::model::{TimeEntry, Timer};
use crate::state::BillingState;
use crate::storage::{rates, timers};

/// A stopped timer and the entry it wrote.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stopped {
    pub timer: Timer,
    pub time_entry: TimeEntry,
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Timer", id)
}

#[tracing::instrument(skip_all)]
pub async fn start(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<StartTimer>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_CREATE).await?;
    let me = user_of(&tenant)?;
    let (matter, code, description, billable) = body.into_inner().validate()?;
    matter_for_new(&state, &tenant, &caller, TE_CREATE, TIME_ENTRY, matter).await?;
    let firm = tenant.firm_id.0;
    let timer = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            rates::require_code(conn, &code, "activityCode").await?;
            let now = Utc::now();
            let timer = Timer {
                id: Uuid::now_v7(),
                firm_id: firm,
                user_id: me,
                matter_id: matter,
                activity_code: code,
                description,
                is_billable: billable,
                state: "RUNNING".into(),
                accumulated_seconds: 0,
                running_since: Some(now),
                started_at: now,
                stopped_at: None,
                time_entry_id: None,
                created_at: now,
                updated_at: now,
            };
            timers::insert(conn, timer).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/timers/{}", timer.id),
        None,
        &timer,
    ))
}

/// The caller's timer `id`, locked (404 for anyone else's).
async fn mine(
    conn: &mut diesel_async::AsyncPgConnection,
    me: Uuid,
    id: Uuid,
) -> Result<Timer, ApiError> {
    timers::lock(conn, id)
        .await?
        .filter(|t| t.user_id == me)
        .ok_or_else(|| not_found(id))
}

async fn change(
    state: web::Data<BillingState>,
    tenant: Tenant,
    id: Uuid,
    to: &'static str,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, TE_CREATE).await?;
    let me = user_of(&tenant)?;
    let timer = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut t = mine(conn, me, id).await?;
            let now = Utc::now();
            match (t.state.as_str(), to) {
                ("RUNNING", "PAUSED") => {
                    t.accumulated_seconds = t.elapsed_seconds(now);
                    t.running_since = None;
                }
                ("PAUSED", "RUNNING") => t.running_since = Some(now),
                (from, to) => return Err(transition_error(from, to)),
            }
            t.state = to.to_owned();
            timers::save(conn, &t).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(timer))
}

#[tracing::instrument(skip_all, fields(timer_id = %path))]
pub async fn pause(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(state, tenant, path.into_inner(), "PAUSED").await
}

#[tracing::instrument(skip_all, fields(timer_id = %path))]
pub async fn resume(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(state, tenant, path.into_inner(), "RUNNING").await
}

/// Stops the timer: its counted time, rounded up to the minute (at least one,
/// at most a day), becomes a DRAFT entry.
#[tracing::instrument(skip_all, fields(timer_id = %path))]
pub async fn stop(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: Option<web::Json<StopTimer>>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_CREATE).await?;
    let me = user_of(&tenant)?;
    let work_date = body
        .and_then(|b| b.into_inner().work_date)
        .unwrap_or_else(today);
    let (firm, partner) = (tenant.firm_id.0, caller.is_partner());
    let stopped = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut t = mine(conn, me, id).await?;
            if t.state == "STOPPED" {
                return Err(transition_error("STOPPED", "STOPPED"));
            }
            let now = Utc::now();
            let seconds = t.elapsed_seconds(now);
            let minutes = i32::try_from((seconds + 59) / 60)
                .unwrap_or(MINUTES_MAX)
                .clamp(1, MINUTES_MAX);
            let valid = ValidTimeEntry {
                matter_id: t.matter_id,
                activity_code: t.activity_code.clone(),
                description: t.description.clone(),
                duration_minutes: minutes,
                is_billable: t.is_billable,
                work_date,
            };
            let entry = new_entry(conn, firm, me, partner, valid, Some(t.id)).await?;
            (t.accumulated_seconds, t.running_since, t.stopped_at) = (seconds, None, Some(now));
            t.state = "STOPPED".into();
            t.time_entry_id = Some(entry.id);
            let timer = timers::save(conn, &t).await?;
            Ok(Stopped {
                timer,
                time_entry: entry,
            })
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::OK).json(stopped))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, TE_READ).await?;
    let me = user_of(&tenant)?;
    let (after, limit) = query.validate::<TimePosition>(&cursors)?;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        timers::list(conn, me, after, limit).scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |t: &Timer| {
        cursors.encode(&TimePosition {
            at: t.created_at,
            id: t.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(timer_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    access::caller(&state.authz, &tenant, TE_READ).await?;
    let me = user_of(&tenant)?;
    let timer = with_tenant(&state.db, &tenant.ctx(), |conn| {
        mine(conn, me, id).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(timer))
}
