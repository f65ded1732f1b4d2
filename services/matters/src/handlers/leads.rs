//! `POST /api/v1/leads/` (public) and the lead-form administration
//! (`/api/v1/matters/lead-forms/`, `matters:create`).

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_tenancy::{HostFirm, Tenant};
use serde_json::json;
use uuid::Uuid;

use crate::access::{self, MATTERS_CREATE};
use crate::input::{CreateLeadForm, LeadBody};
use crate::leads::intake::{self, Origin};
use crate::leads::model::LeadForm;
use crate::leads::{LeadsState, keys, storage};
use crate::state::MattersState;

pub const FORM_KEY_HEADER: &str = "x-lead-form-key";

fn no_form() -> ApiError {
    ApiError::new(ErrorCode::ResourceNotFound, "No lead form has this key")
}

/// The firm and channel of a lead: its form key's form, else the host's firm.
async fn origin(
    state: &LeadsState,
    req: &HttpRequest,
    body_key: Option<&str>,
) -> Result<Origin, ApiError> {
    let header_key = req
        .headers()
        .get(FORM_KEY_HEADER)
        .map(|v| v.to_str().map(str::trim).unwrap_or_default().to_owned());
    if let Some(key) = header_key.or_else(|| body_key.map(|k| k.trim().to_owned())) {
        if key.is_empty() || key.len() > 200 {
            return Err(no_form());
        }
        let hash = keys::key_hash(&key);
        let form = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move { storage::form_by_key(conn, &hash).await }.scope_boxed()
        })
        .await?
        .ok_or_else(no_form)?;
        return Ok(Origin {
            firm: lawos_core::FirmId(form.firm_id),
            channel: "FORM",
            form_id: Some(form.id),
            delivery_id: None,
            scope: format!("form:{}", form.id),
            label: format!("the lead form \u{201c}{}\u{201d}", form.name),
            practice_area: form.practice_area,
        });
    }
    let HostFirm(firm) = HostFirm::extract(req).await?;
    let host = req.connection_info().host().to_ascii_lowercase();
    Ok(Origin {
        firm,
        channel: "WEB",
        form_id: None,
        delivery_id: None,
        scope: format!("web:{firm}"),
        label: format!("the web site ({host})"),
        practice_area: None,
    })
}

#[tracing::instrument(skip_all)]
pub async fn submit(
    state: web::Data<LeadsState>,
    req: HttpRequest,
    body: web::Json<LeadBody>,
) -> Result<HttpResponse, ApiError> {
    let ip = state.limits.client_ip(&req);
    state.limits.check_ip(&ip).await?;
    let mut body = body.into_inner();
    let form_key = body.form_key.take();
    let origin = origin(&state, &req, form_key.as_deref()).await?;
    let lead = body.validate()?;
    state.limits.check_firm(origin.firm).await?;
    let taken = intake::take(
        &state.db,
        &state.contacts,
        state.config.dedupe_window,
        origin,
        lead,
    )
    .await?;
    let status = if taken.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(json!({
        "id": taken.lead.id,
        "status": "RECEIVED",
        "duplicate": taken.duplicate,
        "receivedAt": taken.lead.created_at,
    })))
}

#[tracing::instrument(skip_all)]
pub async fn create_form(
    state: web::Data<MattersState>,
    tenant: Tenant,
    body: web::Json<CreateLeadForm>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let (name, practice_area) = body.into_inner().validate()?;
    let (key, hint) = keys::new_form_key()?;
    let form = LeadForm {
        id: Uuid::now_v7(),
        firm_id: tenant.firm_id.0,
        name,
        key_hash: keys::key_hash(&key),
        key_hint: hint,
        practice_area,
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: Utc::now(),
        disabled_at: None,
    };
    let form = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::insert_form(conn, form).scope_boxed()
    })
    .await?;
    let mut body = serde_json::to_value(&form).map_err(ApiError::internal)?;
    // Shown once: only its hash is kept.
    body["key"] = json!(key);
    Ok(HttpResponse::Created().json(body))
}

#[tracing::instrument(skip_all)]
pub async fn list_forms(
    state: web::Data<MattersState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let forms = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::list_forms(conn).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": forms })))
}

#[tracing::instrument(skip_all, fields(form_id = %path))]
pub async fn disable_form(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let id = path.into_inner();
    let now = Utc::now();
    let disabled = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::disable_form(conn, id, now).scope_boxed()
    })
    .await?;
    if !disabled {
        return Err(ApiError::not_found("Lead form", id));
    }
    Ok(HttpResponse::NoContent().finish())
}
