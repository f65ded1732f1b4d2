//! Capabilities (Backstage §2.2.5): a user's scopes with reach, field policies
//! and matter sets, and their effective field policies alone.

use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use serde_json::json;
use uuid::Uuid;

use crate::capabilities::{self, Capabilities};
use crate::{RbacState, access};

async fn load(
    state: &RbacState,
    principal: &Principal,
    firm: Uuid,
    user: Uuid,
) -> Result<Capabilities, ApiError> {
    let ctx = access::capabilities(principal, firm, user)?;
    let now = chrono::Utc::now();
    with_tenant(&state.db, &ctx, |conn| {
        capabilities::compute(conn, firm, user, now).scope_boxed()
    })
    .await
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0, user_id = %path.1))]
pub async fn capabilities(
    state: web::Data<RbacState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (firm, user) = path.into_inner();
    let caps = load(&state, &principal, firm, user).await?;
    Ok(HttpResponse::Ok().json(caps))
}

#[tracing::instrument(skip_all, fields(firm_id = %path.0, user_id = %path.1))]
pub async fn field_policies(
    state: web::Data<RbacState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (firm, user) = path.into_inner();
    let caps = load(&state, &principal, firm, user).await?;
    Ok(HttpResponse::Ok().json(json!({
        "firmId": caps.firm_id,
        "userId": caps.user_id,
        "roles": caps.roles,
        "fieldPolicies": caps.field_policies,
        "computedAt": caps.computed_at,
        "validUntil": caps.valid_until,
    })))
}
