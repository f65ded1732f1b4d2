//! Activity codes: the built-in ones and the firm's own (firm administration adds them).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;

use super::created;
use crate::access::{self, TE_READ};
use crate::input::rates::CreateActivityCode;
use crate::model::ActivityCode;
use crate::model::time::BUILTIN_ACTIVITY_CODES;
use crate::state::BillingState;
use crate::storage::rates;

/// One activity code as listed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    pub code: String,
    pub description: String,
    /// Built in, or the firm's own.
    pub builtin: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CodeList {
    pub data: Vec<CodeView>,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    access::caller(&state.authz, &tenant, TE_READ).await?;
    let own = with_tenant(&state.db, &tenant.ctx(), |conn| {
        rates::firm_codes(conn).scope_boxed()
    })
    .await?;
    let mut data: Vec<CodeView> = BUILTIN_ACTIVITY_CODES
        .iter()
        .map(|(c, d)| CodeView {
            code: (*c).into(),
            description: (*d).into(),
            builtin: true,
        })
        .collect();
    data.extend(own.into_iter().map(|c| CodeView {
        code: c.code,
        description: c.description,
        builtin: false,
    }));
    Ok(HttpResponse::Ok().json(CodeList { data }))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<CreateActivityCode>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::administrator(&state.authz, &tenant).await?;
    body.validate()?;
    let body = body.into_inner();
    let code = body.code.unwrap_or_default();
    if BUILTIN_ACTIVITY_CODES.iter().any(|(c, _)| *c == code) {
        return Err(ApiError::new(
            lawos_core::ErrorCode::ResourceAlreadyExists,
            "That code is built in",
        )
        .with_details(serde_json::json!({ "field": "code" })));
    }
    let row = ActivityCode {
        firm_id: tenant.firm_id.0,
        code,
        description: body.description.unwrap_or_default().trim().to_owned(),
        created_by: caller.me,
        created_at: Utc::now(),
        archived_at: None,
    };
    let code = with_tenant(&state.db, &tenant.ctx(), |conn| {
        rates::insert_code(conn, row).scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/activity-codes/{}", code.code),
        None,
        &code,
    ))
}
