//! Field policies of a firm (Backstage §4.2.4): which role may read and write
//! which field. A firm policy overrides the platform default for the same
//! resource type, field and role; deleting it restores the default.

use actix_web::http::header::{self, ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_events::EntityRef;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use crate::access::{self, Need};
use crate::catalogue;
use crate::input::{CreateFieldPolicy, UpdateFieldPolicy};
use crate::model::FieldPolicy;
use crate::{RbacState, events, storage};

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("FieldPolicy", id)
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
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let rows = storage::list_field_policies(conn, after, limit).await?;
            let total = storage::count_field_policies(conn).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |p: &FieldPolicy| {
        super::cursor(&cursors, p.id)
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
    let valid = crate::input::parse::<CreateFieldPolicy>(body.into_inner())?.validate()?;
    let now = chrono::Utc::now();
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let created = with_tenant(&state.db, &ctx, |conn| {
        async move {
            if catalogue::builtin_role(&valid.role).is_none()
                && storage::find_role_by_code(conn, &valid.role)
                    .await?
                    .is_none()
            {
                return Err(FieldErrors::single(
                    "role",
                    ErrorCode::InvalidEnumValue,
                    "is neither a built-in role nor a role of this firm",
                )
                .into());
            }
            let policy = storage::insert_field_policy(
                conn,
                FieldPolicy {
                    id: Uuid::now_v7(),
                    firm_id: firm,
                    resource_type: valid.resource_type,
                    field: valid.field,
                    role: valid.role,
                    can_read: valid.read,
                    can_write: valid.write,
                    created_by: actor,
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?;
            changed(conn, &policy, actor, "field_policy.created").await?;
            Ok(policy)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((ETAG, created.etag()))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/rbac/field-policies/{}", created.id),
        ))
        .json(created))
}

/// `permission.changed` for everyone holding the policy's role.
async fn changed(
    conn: &mut lawos_db::AsyncPgConnection,
    policy: &FieldPolicy,
    actor: Option<Uuid>,
    reason: &str,
) -> Result<(), ApiError> {
    let holders = storage::holders_of_role(conn, &policy.role, chrono::Utc::now()).await?;
    events::permission_changed(
        conn,
        policy.firm_id,
        actor,
        EntityRef::new("field_policy", policy.id),
        &holders,
        reason,
    )
    .await
}

#[tracing::instrument(skip_all, fields(policy_id = %path))]
pub async fn get(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let id = path.into_inner();
    let policy = with_tenant(&state.db, &ctx, |conn| {
        storage::find_field_policy(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| not_found(id))?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, policy.etag()))
        .json(policy))
}

#[tracing::instrument(skip_all, fields(policy_id = %path))]
pub async fn update(
    state: web::Data<RbacState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Create)?;
    let id = path.into_inner();
    let body = body.into_inner();
    let actor = tenant.principal.user_id.map(|u| u.0);
    let if_match = req
        .headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let policy = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let current = storage::find_field_policy(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let patch = crate::input::parse::<UpdateFieldPolicy>(body)?;
            patch.validate()?;
            if let Some(expected) = if_match.filter(|v| v != "*")
                && expected != current.etag()
            {
                return Err(ApiError::new(
                    ErrorCode::PreconditionFailed,
                    "The field policy was changed since you read it",
                )
                .with_details(serde_json::json!({ "etag": current.etag() })));
            }
            let policy = storage::update_field_policy(
                conn,
                id,
                patch.read.unwrap_or(current.can_read),
                patch.write.unwrap_or(current.can_write),
                chrono::Utc::now(),
            )
            .await?;
            changed(conn, &policy, actor, "field_policy.updated").await?;
            Ok(policy)
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, policy.etag()))
        .json(policy))
}

#[tracing::instrument(skip_all, fields(policy_id = %path))]
pub async fn delete(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Revoke)?;
    let id = path.into_inner();
    let actor = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &ctx, |conn| {
        async move {
            let policy = storage::find_field_policy(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            storage::delete_field_policy(conn, id).await?;
            changed(conn, &policy, actor, "field_policy.deleted").await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
