//! Firms: create, list, get, update (settings and features).

use actix_web::http::header::{self, ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page, PageParams};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, FIRMS_CREATE, UpdateReach};
use crate::input::{CreateFirm, UpdateFirm};
use crate::model::{Firm, FirmChanges, NewFirm};
use crate::state::TenantsState;
use crate::storage;

#[derive(Serialize, Deserialize)]
struct Position {
    id: Uuid,
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<TenantsState>,
    principal: Principal,
    body: web::Json<CreateFirm>,
) -> Result<HttpResponse, ApiError> {
    principal.require_scope(FIRMS_CREATE)?;
    let valid = body.into_inner().validate()?;
    let new = NewFirm {
        id: Uuid::now_v7(),
        name: valid.name,
        slug: valid.slug,
        logto_org_id: valid.logto_org_id,
        contact_email: valid.contact_email,
        billing_plan: valid.billing_plan,
        features: valid.features,
        settings: valid.settings,
        create_logto_org: valid.create_logto_org,
        created_by: principal.user_id.map(|u| u.0),
    };
    let ctx = lawos_db::TenantCtx::platform(principal.user_id);
    let firm = with_tenant(&state.db, &ctx, |conn| {
        storage::insert_firm(conn, new).scope_boxed()
    })
    .await?;
    tracing::info!(firm_id = %firm.id, slug = %firm.slug, "firm created");
    Ok(HttpResponse::Created()
        .insert_header((ETAG, firm.etag()))
        .insert_header((header::LOCATION, format!("/api/v1/tenants/{}", firm.id)))
        .json(firm))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<TenantsState>,
    cursors: web::Data<CursorCodec>,
    principal: Principal,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let ctx = access::list(&principal)?;
    let limit = page.limit()?;
    let after = page
        .cursor
        .as_deref()
        .map(|c| cursors.decode::<Position>(c))
        .transpose()?
        .map(|p| p.id);
    let (rows, total) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let rows = storage::list_firms(conn, after, limit).await?;
            let total = storage::count_firms(conn).await?;
            Ok((rows, total))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |f: &Firm| {
        cursors.encode(&Position { id: f.id })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn get(
    state: web::Data<TenantsState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let ctx = access::read(&principal, firm_id)?;
    let firm = state
        .cached_firm(&ctx, firm_id)
        .await?
        .ok_or_else(|| access::not_found(firm_id))?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, firm.etag()))
        .json(firm))
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn update(
    state: web::Data<TenantsState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateFirm>,
) -> Result<HttpResponse, ApiError> {
    let firm_id = path.into_inner();
    let patch = body.into_inner();
    let ctx = match access::update(&principal, firm_id)? {
        UpdateReach::Platform(ctx) => ctx,
        UpdateReach::FirmAdmin(ctx) => {
            if let Some(field) = patch.platform_fields().first() {
                return Err(ApiError::permission_denied(format!(
                    "The field {field} can only be changed by a platform administrator"
                ))
                .with_details(serde_json::json!({ "field": field })));
            }
            ctx
        }
    };
    let if_match = req
        .headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let firm = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let current = storage::lock_firm(conn, firm_id)
                .await?
                .ok_or_else(|| access::not_found(firm_id))?;
            if let Some(expected) = if_match.filter(|v| v != "*")
                && expected != current.etag()
            {
                return Err(ApiError::new(
                    ErrorCode::PreconditionFailed,
                    "The firm was changed since you read it",
                )
                .with_details(serde_json::json!({ "etag": current.etag() })));
            }
            let (features, settings) = patch.validate(&current.features, &current.settings)?;
            let changes = FirmChanges {
                name: patch.name.map(|n| n.trim().to_owned()),
                contact_email: patch.contact_email.map(|e| e.trim().to_lowercase()),
                billing_plan: patch.billing_plan,
                features,
                settings,
                logto_org_id: patch.logto_org_id.map(Some),
                updated_at: Some(chrono::Utc::now()),
            };
            storage::update_firm(conn, firm_id, changes).await
        }
        .scope_boxed()
    })
    .await?;
    state.write_through(&firm).await;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, firm.etag()))
        .json(firm))
}
