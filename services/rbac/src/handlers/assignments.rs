//! Role assignments: who holds which role in the firm, from `startsAt` until
//! `endsAt`. Ending one (DELETE) revokes it; rows stay.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{self, Need};
use crate::catalogue;
use crate::input::CreateAssignment;
use crate::model::Assignment;
use crate::storage::{self, AssignmentFilter};
use crate::{RbacState, events};

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("RoleAssignment", id)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    user_id: Option<Uuid>,
    role: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<RbacState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let q = query.into_inner();
    let (limit, after) = super::page(
        &cursors,
        &PageParams {
            cursor: q.cursor,
            limit: q.limit,
        },
    )?;
    let filter = AssignmentFilter {
        user_id: q.user_id,
        role: q.role,
    };
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let rows = storage::list_assignments(conn, &filter, after, limit).await?;
            let total = storage::count_assignments(conn, &filter).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |a: &Assignment| {
        super::cursor(&cursors, a.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<RbacState>,
    tenant: Tenant,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Create)?;
    let now = chrono::Utc::now();
    let valid = crate::input::parse::<CreateAssignment>(body.into_inner())?.validate(now)?;
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let created = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let custom_role_id = if catalogue::builtin_role(&valid.role).is_some() {
                None
            } else {
                let role = storage::find_role_by_code(conn, &valid.role)
                    .await?
                    .ok_or_else(|| {
                        ApiError::from(FieldErrors::single(
                            "role",
                            ErrorCode::InvalidEnumValue,
                            "is neither a built-in role nor a role of this firm",
                        ))
                    })?;
                Some(role.id)
            };
            let assignment = storage::insert_assignment(
                conn,
                Assignment {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    user_id: valid.user_id,
                    role: valid.role,
                    custom_role_id,
                    starts_at: valid.starts_at,
                    ends_at: valid.ends_at,
                    assigned_by: actor,
                    created_at: now,
                    revoked_at: None,
                    revoked_by: None,
                },
            )
            .await?;
            events::permission_changed(
                conn,
                firm,
                actor,
                EntityRef::new("role_assignment", assignment.id),
                &[assignment.user_id],
                "role_assignment.created",
            )
            .await?;
            Ok(assignment)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/rbac/assignments/{}", created.id),
        ))
        .json(created))
}

#[tracing::instrument(skip_all, fields(assignment_id = %path))]
pub async fn get(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let id = path.into_inner();
    let found = with_tenant(&state.db, &ctx, |conn| {
        storage::find_assignment(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| not_found(id))?;
    Ok(HttpResponse::Ok().json(found))
}

#[tracing::instrument(skip_all, fields(assignment_id = %path))]
pub async fn revoke(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Revoke)?;
    let id = path.into_inner();
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let revoked = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let current = storage::find_assignment(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            if current.revoked_at.is_some() {
                return Ok(current);
            }
            let revoked = storage::revoke_assignment(conn, id, actor, chrono::Utc::now()).await?;
            events::permission_changed(
                conn,
                firm,
                actor,
                EntityRef::new("role_assignment", id),
                &[revoked.user_id],
                "role_assignment.revoked",
            )
            .await?;
            Ok(revoked)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(revoked))
}
