//! Lawyer credentials (Admin API): `GET/POST /api/v1/auth/users/{userId}/credentials`
//! and `DELETE …/{credId}`. Platform administrators (`users:read` to list,
//! `users:update` to change) or the FIRM_ADMIN of a firm the user belongs to, who
//! sees and changes that firm's credentials only (another firm's: 404).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use lawos_auth::Principal;
use lawos_core::ApiError;
use lawos_core::validation::FieldErrors;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::access::{self, USERS_READ, USERS_UPDATE};
use crate::credentials;
use crate::input::credential::CredentialInput;
use crate::state::AuthState;
use crate::storage::credentials as stored;
use crate::user_admin;

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn list(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_READ)?;
    let (user_id, firm) = (path.into_inner(), reach.firm());
    let rows = with_tenant(&state.db, reach.ctx(), |conn| {
        async move {
            user_admin::load(conn, firm, user_id, false).await?;
            stored::list_for_user(conn, user_id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": rows })))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddQuery {
    firm_id: Option<Uuid>,
}

#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn add(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<AddQuery>,
    body: web::Json<CredentialInput>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_UPDATE)?;
    let mut errors = FieldErrors::new();
    let valid = body.check(&mut errors, "");
    errors.into_result()?;
    let valid = valid.ok_or_else(|| ApiError::internal("credential check without errors"))?;
    let (user_id, firm, named) = (path.into_inner(), reach.firm(), query.firm_id);
    let created = with_tenant(&state.db, reach.ctx(), |conn| {
        async move {
            let firm_id = credentials::target_firm(conn, firm, named, user_id).await?;
            credentials::add(conn, firm_id, user_id, valid).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

#[tracing::instrument(skip_all)]
pub async fn remove(
    state: web::Data<AuthState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let reach = access::users(&principal, USERS_UPDATE)?;
    let ((user_id, credential_id), firm) = (path.into_inner(), reach.firm());
    let removed = with_tenant(&state.db, reach.ctx(), |conn| {
        async move {
            user_admin::load(conn, firm, user_id, false).await?;
            stored::soft_delete(conn, user_id, credential_id, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found("Credential", credential_id));
    }
    Ok(HttpResponse::NoContent().finish())
}
