//! A firm's domains: list, add, remove. Only verified domains resolve a host to
//! the firm; only a platform administrator can mark a domain verified.

use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, UpdateReach};
use crate::input::CreateDomain;
use crate::model::FirmDomain;
use crate::state::TenantsState;
use crate::storage;

#[derive(Serialize, Deserialize)]
struct Position {
    id: Uuid,
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn list(
    state: web::Data<TenantsState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    path: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::read(&principal, firm_id)?;
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.id);
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            storage::find_firm(conn, firm_id)
                .await?
                .ok_or_else(|| access::not_found(firm_id))?;
            let rows = storage::list_domains(conn, firm_id, after, limit).await?;
            let total = storage::count_domains(conn, firm_id).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |d: &FirmDomain| {
        cursors.encode(&Position { id: d.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn create(
    state: web::Data<TenantsState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateDomain>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let (ctx, platform) = match access::update(&principal, firm_id)? {
        UpdateReach::Platform(ctx) => (ctx, true),
        UpdateReach::FirmAdmin(ctx) => (ctx, false),
    };
    if body.verified && !platform {
        return Err(ApiError::permission_denied(
            "Only a platform administrator can mark a domain verified",
        )
        .with_details(serde_json::json!({ "field": "verified" })));
    }
    let domain = body.validate()?;
    let now = chrono::Utc::now();
    let row = FirmDomain {
        id: Uuid::now_v7(),
        firm_id,
        domain,
        verified: body.verified,
        verified_at: body.verified.then_some(now),
        created_at: now,
    };
    let created = with_tenant(&state.db, &ctx, |conn| {
        async move {
            storage::find_firm(conn, firm_id)
                .await?
                .ok_or_else(|| access::not_found(firm_id))?;
            storage::insert_domain(conn, row).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

#[tracing::instrument(skip_all)]
pub async fn delete(
    state: web::Data<TenantsState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (firm_id, domain_id) = path.into_inner();
    let ctx = match access::update(&principal, firm_id)? {
        UpdateReach::Platform(ctx) | UpdateReach::FirmAdmin(ctx) => ctx,
    };
    let removed = with_tenant(&state.db, &ctx, |conn| {
        storage::delete_domain(conn, firm_id, domain_id).scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("Domain", domain_id));
    }
    Ok(HttpResponse::NoContent().finish())
}
