//! The Meta lead-ads webhook (`GET` the subscription challenge, `POST` signed
//! deliveries) and the administration of a firm's Meta pages
//! (`/api/v1/matters/meta-pages/`, `matters:create`).
//!
//! A delivery is answered 200 as soon as its `leadgen` changes are recorded
//! (one row per leadgen id: Meta's retries add nothing); each new one is then
//! attempted in the background and, until processed, by the delivery worker.
//! A change for a page no firm has mapped is logged and dropped.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::access::{self, MATTERS_CREATE};
use crate::input::CreateMetaPage;
use crate::leads::meta::{self, SIGNATURE_HEADER};
use crate::leads::model::{MetaPage, NewDelivery};
use crate::leads::{LeadsState, storage, worker};
use crate::state::MattersState;

fn not_configured(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        format!("The Meta webhook is not configured ({what} is not set)"),
    )
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct Challenge {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET /webhooks/meta/`: Meta's subscription check.
pub async fn verify(
    state: web::Data<LeadsState>,
    query: web::Query<Challenge>,
) -> Result<HttpResponse, ApiError> {
    let expected = state
        .config
        .meta_verify_token
        .as_deref()
        .ok_or_else(|| not_configured("LAWOS_META_VERIFY_TOKEN"))?;
    let q = query.into_inner();
    let token_ok = q.verify_token.as_deref().is_some_and(|given| {
        use sha2::{Digest, Sha256};
        // Equal-length digests, compared without an early exit.
        let (a, b) = (
            Sha256::digest(given.as_bytes()),
            Sha256::digest(expected.as_bytes()),
        );
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    });
    match (q.mode.as_deref(), token_ok, q.challenge) {
        (Some("subscribe"), true, Some(challenge)) => Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(challenge)),
        _ => Err(ApiError::permission_denied(
            "hub.mode must be subscribe and hub.verify_token the configured token",
        )),
    }
}

/// `POST /webhooks/meta/`: a signed notification.
#[tracing::instrument(skip_all)]
pub async fn receive(
    state: web::Data<LeadsState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let secret = state
        .config
        .meta_app_secret
        .as_deref()
        .ok_or_else(|| not_configured("LAWOS_META_APP_SECRET"))?;
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or_default());
    meta::verify_signature(secret, signature, &body)?;
    let payload: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(ErrorCode::MalformedJson, "The body is not JSON")
            .with_details(json!({ "reason": e.to_string() }))
    })?;
    let changes = meta::leadgen_changes(&payload);
    let (mut recorded, mut repeated, mut unmapped) = (Vec::new(), 0, 0);
    for change in changes {
        let (page_id, form_id) = (change.page_id.clone(), change.form_id.clone());
        let mapping = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
            async move { storage::page_for(conn, &page_id, form_id.as_deref()).await }.scope_boxed()
        })
        .await?;
        let Some(mapping) = mapping else {
            tracing::warn!(page_id = %change.page_id, leadgen_id = %change.leadgen_id, "Meta lead for a page no firm has mapped");
            unmapped += 1;
            continue;
        };
        let firm = FirmId(mapping.firm_id);
        let new = NewDelivery {
            id: Uuid::now_v7(),
            firm_id: mapping.firm_id,
            leadgen_id: change.leadgen_id,
            page_id: change.page_id,
            form_id: change.form_id,
            mapping_id: mapping.id,
        };
        let id = with_tenant(&state.db, &TenantCtx::firm(firm, None), |conn| {
            storage::record_delivery(conn, new).scope_boxed()
        })
        .await?;
        match id {
            Some(id) => recorded.push((firm, id)),
            None => repeated += 1,
        }
    }
    let accepted = recorded.len();
    if !recorded.is_empty() {
        let state = state.clone().into_inner();
        tokio::spawn(async move {
            for (firm, id) in recorded {
                if let Err(e) = worker::attempt(&state, firm, id).await {
                    tracing::warn!(delivery_id = %id, error = %e.message, "Meta delivery attempt failed; the worker retries");
                }
            }
        });
    }
    Ok(HttpResponse::Ok().json(json!({
        "received": accepted,
        "repeated": repeated,
        "unmapped": unmapped,
    })))
}

#[tracing::instrument(skip_all)]
pub async fn create_page(
    state: web::Data<MattersState>,
    leads: web::Data<LeadsState>,
    tenant: Tenant,
    body: web::Json<CreateMetaPage>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let valid = body.into_inner().validate()?;
    let id = Uuid::now_v7();
    let key = &leads.config.token_key;
    let page = MetaPage {
        id,
        firm_id: tenant.firm_id.0,
        page_id: valid.page_id,
        form_id: valid.form_id,
        name: valid.name,
        practice_area: valid.practice_area,
        token_ciphertext: key.seal(id, &valid.access_token)?,
        token_key_id: key.id().to_owned(),
        created_by: tenant.principal.user_id.map(|u| u.0),
        created_at: Utc::now(),
        disabled_at: None,
    };
    let page = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::insert_page(conn, page).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn list_pages(
    state: web::Data<MattersState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let pages = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::list_pages(conn).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": pages })))
}

#[tracing::instrument(skip_all, fields(mapping_id = %path))]
pub async fn disable_page(
    state: web::Data<MattersState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    access::firm(&state.authz, &tenant, MATTERS_CREATE).await?;
    let id = path.into_inner();
    let now = Utc::now();
    let disabled = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::disable_page(conn, id, now).scope_boxed()
    })
    .await?;
    if !disabled {
        return Err(ApiError::not_found("Meta page", id));
    }
    Ok(HttpResponse::NoContent().finish())
}
