//! `GET /api/v1/tenants/resolve?host=|slug=|logto_org_id=`: which firm a host, slug
//! or Logto organization belongs to. Used by every service's tenant resolution
//! and by public intake; it reveals only the firm id and slug.

use actix_web::{HttpResponse, web};
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde::Deserialize;
use serde_json::json;

use crate::state::TenantsState;
use crate::storage;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveQuery {
    host: Option<String>,
    slug: Option<String>,
    logto_org_id: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn resolve(
    state: web::Data<TenantsState>,
    query: web::Query<ResolveQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let given: Vec<(&str, String)> = [
        ("host", q.host),
        ("slug", q.slug),
        ("logto_org_id", q.logto_org_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.map(|v| {
            (
                k,
                if k == "logto_org_id" {
                    v.trim().to_owned()
                } else {
                    v.trim().to_ascii_lowercase()
                },
            )
        })
    })
    .collect();
    let [(key, value)] = given.as_slice() else {
        return Err(FieldErrors::single(
            "host",
            ErrorCode::RequiredFieldMissing,
            "give exactly one of host, slug, logto_org_id",
        )
        .into());
    };
    let (key, value) = (*key, value.clone());
    let lookup = value.clone();
    let firm = with_tenant(&state.db, &TenantCtx::platform(None), |conn| {
        async move { storage::resolve(conn, key, &lookup).await }.scope_boxed()
    })
    .await?
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("No firm for {key} {value}"),
        )
    })?;
    Ok(HttpResponse::Ok().json(json!({ "firmId": firm.id, "slug": firm.slug })))
}
