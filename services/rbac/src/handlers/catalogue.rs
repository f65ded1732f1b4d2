//! The platform catalogue: permissions (scopes), built-in roles, resource types
//! and their sub-resource types, default field policies.

use actix_web::{HttpResponse, web};
use lawos_auth::Principal;
use lawos_core::{ApiError, Page};
use serde_json::{Value, json};

use crate::access;
use crate::catalogue::{self, BUILTIN_ROLES, DEFAULT_FIELD_POLICIES, PERMISSIONS, RESOURCE_TYPES};
use crate::model::RoleView;

/// A whole static list as one page.
fn all<T: serde::Serialize>(rows: Vec<T>) -> Result<HttpResponse, ApiError> {
    let n = rows.len() as i64;
    let page = Page::from_rows(rows, n.max(1), Some(n), |_| Ok(String::new()))?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all)]
pub async fn permissions(principal: Principal) -> Result<HttpResponse, ApiError> {
    access::catalogue(&principal)?;
    let rows: Vec<Value> = PERMISSIONS
        .iter()
        .map(|p| {
            let mut v = json!(p);
            if let Some(action) = p.scope.strip_prefix("matters:") {
                v["aliases"] = json!([format!("cases:{action}")]);
            }
            v
        })
        .collect();
    all(rows)
}

#[tracing::instrument(skip_all)]
pub async fn builtin_roles(principal: Principal) -> Result<HttpResponse, ApiError> {
    access::catalogue(&principal)?;
    all(BUILTIN_ROLES.iter().map(RoleView::builtin).collect())
}

#[tracing::instrument(skip_all)]
pub async fn resource_types(principal: Principal) -> Result<HttpResponse, ApiError> {
    access::catalogue(&principal)?;
    all(RESOURCE_TYPES.to_vec())
}

#[tracing::instrument(skip_all, fields(resource_type = %path))]
pub async fn subresources(
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    access::catalogue(&principal)?;
    let name = path.into_inner();
    let parent = catalogue::canonical_resource_type(&name)
        .and_then(catalogue::resource_type)
        .ok_or_else(|| ApiError::not_found("ResourceType", &name))?;
    let rows: Vec<_> = parent
        .subresources
        .iter()
        .filter_map(|s| catalogue::resource_type(s))
        .map(|t| json!({ "type": t.code, "description": t.description, "parentType": parent.code }))
        .collect();
    all(rows)
}

#[tracing::instrument(skip_all)]
pub async fn default_field_policies(principal: Principal) -> Result<HttpResponse, ApiError> {
    access::catalogue(&principal)?;
    let rows: Vec<Value> = DEFAULT_FIELD_POLICIES
        .iter()
        .map(|p| {
            json!({ "resourceType": p.resource_type, "field": p.field, "role": p.role,
                    "read": p.read, "write": p.write, "default": true })
        })
        .collect();
    all(rows)
}
