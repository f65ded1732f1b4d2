//! `GET /api/v1/rbac/firms/{firmId}/scope-holders?scope=`: the firm's users
//! whose role assignments in force now hold `scope` (through a built-in role
//! or a live custom role). Service-only: the notifications service asks it for
//! the recipients of firm-wide notices (a payment to the billing roles).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_auth::Principal;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::RbacState;
use crate::catalogue::{BUILTIN_ROLES, canonical_scope, permission};
use crate::schema::{role_assignments, role_permissions, roles};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldersQuery {
    pub scope: Option<String>,
}

async fn holders(
    conn: &mut AsyncPgConnection,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, ApiError> {
    let builtin: Vec<&str> = BUILTIN_ROLES
        .iter()
        .filter(|r| r.scopes().any(|(s, _)| s == scope))
        .map(|r| r.code)
        .collect();
    let custom: Vec<Uuid> = role_permissions::table
        .inner_join(roles::table.on(roles::id.eq(role_permissions::role_id)))
        .filter(role_permissions::scope.eq(scope))
        .filter(roles::deleted_at.is_null())
        .select(roles::id)
        .load(conn)
        .await?;
    Ok(role_assignments::table
        .filter(role_assignments::revoked_at.is_null())
        .filter(role_assignments::starts_at.le(now))
        .filter(
            role_assignments::ends_at
                .is_null()
                .or(role_assignments::ends_at.gt(now)),
        )
        .filter(
            role_assignments::custom_role_id
                .is_null()
                .and(role_assignments::role.eq_any(builtin))
                .or(role_assignments::custom_role_id.eq_any(custom)),
        )
        .select(role_assignments::user_id)
        .distinct()
        .order(role_assignments::user_id)
        .load(conn)
        .await?)
}

#[tracing::instrument(skip_all, fields(firm_id = %path))]
pub async fn scope_holders(
    state: web::Data<RbacState>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<HoldersQuery>,
) -> Result<HttpResponse, ApiError> {
    if !principal.is_service() {
        return Err(ApiError::permission_denied(
            "Who holds a scope is answered to platform services only",
        ));
    }
    let firm = path.into_inner();
    let scope = query.into_inner().scope.map(|s| canonical_scope(s.trim()));
    let scope = match scope {
        Some(s) if permission(&s).is_some() => s,
        Some(_) => {
            return Err(FieldErrors::single(
                "scope",
                ErrorCode::InvalidEnumValue,
                "is not a scope of the catalogue",
            )
            .into());
        }
        None => {
            return Err(FieldErrors::single(
                "scope",
                ErrorCode::RequiredFieldMissing,
                "is required",
            )
            .into());
        }
    };
    let ctx = TenantCtx::firm(FirmId(firm), None);
    let users = with_tenant(&state.db, &ctx, |conn| {
        let scope = scope.clone();
        async move { holders(conn, &scope, Utc::now()).await }.scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "firmId": firm, "scope": scope, "userIds": users })))
}
