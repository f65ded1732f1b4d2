//! Custom roles of a firm: list, create, read, update, delete (soft). Changing
//! or deleting a role tells its holders' caches with `permission.changed`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, Need};
use crate::input::{CreateRole, UpdateRole};
use crate::model::{Role, RolePermission, RoleView, ScopeReach};
use crate::{RbacState, events, storage};

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Role", id)
}

fn rows(firm: Uuid, role: Uuid, scopes: &[ScopeReach]) -> Vec<RolePermission> {
    scopes
        .iter()
        .map(|s| RolePermission {
            firm_id: firm,
            role_id: role,
            scope: s.scope.clone(),
            reach: s.reach.clone(),
        })
        .collect()
}

fn views(roles: Vec<Role>, permissions: &[RolePermission]) -> Vec<RoleView> {
    roles
        .into_iter()
        .map(|r| {
            let scopes = permissions
                .iter()
                .filter(|p| p.role_id == r.id)
                .map(|p| ScopeReach {
                    scope: p.scope.clone(),
                    reach: p.reach.clone(),
                })
                .collect();
            RoleView::custom(r, scopes)
        })
        .collect()
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<RbacState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let (limit, after) = super::page(&cursors, &page)?;
    let (roles, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let roles = storage::list_roles(conn, after, limit).await?;
            let ids: Vec<Uuid> = roles.iter().map(|r| r.id).collect();
            let permissions = storage::role_permissions_of(conn, &ids).await?;
            let total = storage::count_roles(conn).await?;
            Ok((views(roles, &permissions), total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(roles, limit, Some(total), |r: &RoleView| {
        super::cursor(&cursors, r.id.unwrap_or_default())
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
    let valid = crate::input::parse::<CreateRole>(body.into_inner())?.validate()?;
    let now = chrono::Utc::now();
    let firm = tenant.firm_id.0;
    let role = Role {
        id: Uuid::now_v7(),
        firm_id: firm,
        code: valid.code,
        name: valid.name,
        description: valid.description,
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let permissions = rows(firm, role.id, &valid.scopes);
    let view = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let role = storage::insert_role(conn, role, permissions).await?;
            Ok(RoleView::custom(role, valid.scopes))
        }
        .scope_boxed()
    })
    .await?;
    let id = view.id.unwrap_or_default();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/rbac/roles/{id}")))
        .json(view))
}

#[tracing::instrument(skip_all, fields(role_id = %path))]
pub async fn get(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let id = path.into_inner();
    let view = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let role = storage::find_role(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let permissions = storage::role_permissions_of(conn, &[id]).await?;
            Ok(views(vec![role], &permissions).remove(0))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[tracing::instrument(skip_all, fields(role_id = %path))]
pub async fn update(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Create)?;
    let id = path.into_inner();
    let body = body.into_inner();
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let view = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let current = storage::find_role(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let valid = crate::input::parse::<UpdateRole>(body)?.validate()?;
            let now = chrono::Utc::now();
            let scopes_changed = valid.scopes.is_some();
            let permissions = valid.scopes.as_ref().map(|s| rows(firm, id, s));
            let role =
                storage::update_role(conn, id, valid.name, valid.description, permissions, now)
                    .await?;
            if scopes_changed {
                let holders = storage::holders_of_role(conn, &current.code, now).await?;
                events::permission_changed(
                    conn,
                    firm,
                    actor,
                    EntityRef::new("role", id),
                    &holders,
                    "role.updated",
                )
                .await?;
            }
            let permissions = storage::role_permissions_of(conn, &[id]).await?;
            Ok(views(vec![role], &permissions).remove(0))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[tracing::instrument(skip_all, fields(role_id = %path))]
pub async fn delete(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Revoke)?;
    let id = path.into_inner();
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &ctx, |conn| {
        async move {
            let role = storage::find_role(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let now = chrono::Utc::now();
            let holders = storage::holders_of_role(conn, &role.code, now).await?;
            storage::delete_role(conn, id, now).await?;
            events::permission_changed(
                conn,
                firm,
                actor,
                EntityRef::new("role", id),
                &holders,
                "role.deleted",
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
