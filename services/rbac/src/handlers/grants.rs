//! Access grants (Backstage §2.2.4): on a resource or a sub-resource; list,
//! create, revoke (soft: `revokedAt`, never deleted), and the firm-wide search.
//! One handler per operation serves both the resource and the sub-resource route.

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
use crate::input::{CreateGrant, ResourcePath};
use crate::model::{GRANT_ACTIONS, Grant};
use crate::storage::{self, GrantFilter};
use crate::{RbacState, events};

/// `/resources/{resource_type}/{resource_id}[/{sub_type}/{sub_id}]/grants[/{grant_id}]`.
#[derive(Debug, Deserialize)]
pub struct GrantPath {
    resource_type: String,
    resource_id: Uuid,
    sub_type: Option<String>,
    sub_id: Option<Uuid>,
    grant_id: Option<Uuid>,
}

impl GrantPath {
    fn resource(&self, errors: &mut FieldErrors) -> Option<ResourcePath> {
        let sub = self.sub_type.as_deref().zip(self.sub_id);
        ResourcePath::parse(errors, &self.resource_type, self.resource_id, sub)
    }

    fn checked(&self) -> Result<ResourcePath, ApiError> {
        let mut errors = FieldErrors::new();
        let resource = self.resource(&mut errors);
        errors.into_result()?;
        resource.ok_or_else(|| ApiError::internal("resource path without errors or value"))
    }
}

fn filter_for(resource: &ResourcePath) -> GrantFilter {
    GrantFilter {
        resource_type: Some(resource.resource_type.to_owned()),
        resource_id: Some(resource.resource_id),
        sub: Some(resource.sub.map(|(t, id)| (t.to_owned(), id))),
        ..GrantFilter::default()
    }
}

fn matches(grant: &Grant, resource: &ResourcePath) -> bool {
    grant.resource_type == resource.resource_type
        && grant.resource_id == resource.resource_id
        && grant.subresource_type.as_deref() == resource.sub.map(|(t, _)| t)
        && grant.subresource_id == resource.sub.map(|(_, id)| id)
}

async fn page_of(
    state: &RbacState,
    cursors: &CursorCodec,
    ctx: &lawos_db::TenantCtx,
    filter: GrantFilter,
    params: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = super::page(cursors, params)?;
    let (rows, total) = with_tenant(&state.db, ctx, |conn| {
        async move {
            let rows = storage::list_grants(conn, &filter, after, limit).await?;
            let total = storage::count_grants(conn, &filter).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |g: &Grant| {
        super::cursor(cursors, g.id)
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<RbacState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    path: web::Path<GrantPath>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let resource = path.checked()?;
    page_of(&state, &cursors, &ctx, filter_for(&resource), &page).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<GrantPath>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Create)?;
    let now = chrono::Utc::now();
    let mut errors = FieldErrors::new();
    let resource = path.resource(&mut errors);
    let valid = crate::input::parse::<CreateGrant>(body.into_inner())?.validate(now, errors)?;
    let resource =
        resource.ok_or_else(|| ApiError::internal("resource path without errors or value"))?;
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let grant = Grant {
        id: Uuid::now_v7(),
        firm_id: firm,
        user_id: valid.user_id,
        resource_type: resource.resource_type.to_owned(),
        resource_id: resource.resource_id,
        subresource_type: resource.sub.map(|(t, _)| t.to_owned()),
        subresource_id: resource.sub.map(|(_, id)| id),
        action: valid.action,
        starts_at: valid.starts_at,
        expires_at: valid.expires_at,
        revoked_at: None,
        granted_by: actor,
        revoked_by: None,
        reason: valid.reason,
        created_at: now,
    };
    let created = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let grant = storage::insert_grant(conn, grant).await?;
            events::permission_changed(
                conn,
                firm,
                actor,
                EntityRef::new("access_grant", grant.id),
                &[grant.user_id],
                "access_grant.created",
            )
            .await?;
            Ok(grant)
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(grant_id = %created.id, action = %created.action, "access grant created");
    let location = format!(
        "/api/v1/rbac/access-grants/search?resource_id={}",
        created.resource_id
    );
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(created))
}

#[tracing::instrument(skip_all)]
pub async fn revoke(
    state: web::Data<RbacState>,
    tenant: Tenant,
    path: web::Path<GrantPath>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Revoke)?;
    let resource = path.checked()?;
    let id = path
        .grant_id
        .ok_or_else(|| ApiError::internal("revoke route without a grant id"))?;
    let firm = tenant.firm_id.0;
    let actor = tenant.principal.user_id.map(|u| u.0);
    let revoked = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let current = storage::find_grant(conn, id)
                .await?
                .filter(|g| matches(g, &resource))
                .ok_or_else(|| ApiError::not_found("AccessGrant", id))?;
            if current.revoked_at.is_some() {
                return Ok(current);
            }
            let grant = storage::revoke_grant(conn, id, actor, chrono::Utc::now()).await?;
            events::permission_changed(
                conn,
                firm,
                actor,
                EntityRef::new("access_grant", id),
                &[grant.user_id],
                "access_grant.revoked",
            )
            .await?;
            Ok(grant)
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(grant_id = %id, "access grant revoked");
    Ok(HttpResponse::Ok().json(revoked))
}

/// `GET /access-grants/search` filters (snake_case).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    user_id: Option<Uuid>,
    resource_type: Option<String>,
    resource_id: Option<Uuid>,
    subresource_type: Option<String>,
    subresource_id: Option<Uuid>,
    action: Option<String>,
    /// `true`: only grants in force now.
    active: Option<bool>,
    cursor: Option<String>,
    limit: Option<i64>,
}

impl SearchQuery {
    fn filter(&self) -> Result<GrantFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let mut type_of = |field: &str, value: Option<&str>| {
            value.and_then(|v| {
                let t = catalogue::canonical_resource_type(v);
                if t.is_none() {
                    errors.add(field, ErrorCode::InvalidEnumValue, "is not a resource type");
                }
                t.map(str::to_owned)
            })
        };
        let resource_type = type_of("resource_type", self.resource_type.as_deref());
        let sub_type = type_of("subresource_type", self.subresource_type.as_deref());
        let action = self.action.as_deref().map(str::to_ascii_uppercase);
        if let Some(a) = &action {
            errors.one_of("action", a, &GRANT_ACTIONS);
        }
        errors.into_result()?;
        let sub = match (sub_type, self.subresource_id) {
            (Some(t), Some(id)) => Some(Some((t, id))),
            _ => None,
        };
        Ok(GrantFilter {
            user_id: self.user_id,
            resource_type,
            resource_id: self.resource_id,
            sub,
            action,
            active_at: self.active.unwrap_or(false).then(chrono::Utc::now),
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn search(
    state: web::Data<RbacState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::admin(&tenant, Need::Read)?;
    let q = query.into_inner();
    let filter = q.filter()?;
    let params = PageParams {
        cursor: q.cursor,
        limit: q.limit,
    };
    page_of(&state, &cursors, &ctx, filter, &params).await
}
