//! Stage moves: `PUT /{id}/stage` (any move of the lifecycle table),
//! `PUT /{id}/archive` (`CLOSED → ARCHIVED`) and `PUT /{id}/restore`
//! (`ARCHIVED → CLOSED`). Each writes `matter.stage_changed` in its transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{check_fresh, if_match, respond};
use crate::access::{self, MATTERS_UPDATE};
use crate::events;
use crate::input::ChangeStage;
use crate::model::StageChanges;
use crate::stage::Stage;
use crate::state::MattersState;
use crate::storage::{matters, members};

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn change(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ChangeStage>,
) -> Result<HttpResponse, ApiError> {
    let to = body.validate()?;
    move_stage(state, tenant, req, path.into_inner(), None, to).await
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn archive(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    move_stage(state, tenant, req, path.into_inner(), None, Stage::Archived).await
}

#[tracing::instrument(skip_all, fields(matter_id = %path))]
pub async fn restore(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let from = Some(Stage::Archived);
    move_stage(state, tenant, req, path.into_inner(), from, Stage::Closed).await
}

/// Moves matter `id` to `to` (only from `from` when given).
async fn move_stage(
    state: web::Data<MattersState>,
    tenant: Tenant,
    req: HttpRequest,
    id: Uuid,
    from: Option<Stage>,
    to: Stage,
) -> Result<HttpResponse, ApiError> {
    let access = access::matter(&state.authz, &tenant, MATTERS_UPDATE, id).await?;
    let by_role = access::reopens_by_role(&access);
    let expected = if_match(&req);
    let (firm, user) = (tenant.firm_id.0, tenant.principal.user_id.map(|u| u.0));
    let matter = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = matters::lock(conn, id)
                .await?
                .ok_or_else(|| access::not_found(id))?;
            check_fresh(expected.as_deref(), &current)?;
            let stage = current.stage();
            match from {
                Some(required) if required != stage => return Err(stage.refusal(to)),
                _ => stage.check(to)?,
            }
            let now = Utc::now();
            if stage.is_reopen(to) && !by_role {
                let leads = match user {
                    Some(user) => members::is_lead_attorney(conn, id, user, now).await?,
                    None => false,
                };
                if !leads {
                    return Err(access::reopen_denied());
                }
            }
            let changes = StageChanges::to(&current, to, now);
            let moved = matters::update_stage(conn, id, changes, user, now).await?;
            events::stage_changed(conn, firm, id, stage, to).await?;
            Ok(moved)
        }
        .scope_boxed()
    })
    .await?;
    respond(StatusCode::OK, &access, &matter)
}
