//! `GET /api/v1/auth/me` and `PATCH /api/v1/auth/me`: the caller's identity and
//! their profile in the firm of the token. Only the caller's own profile fields
//! are writable here (fullName, title, phone, preferences).

use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_auth::Principal;
use lawos_core::{ApiError, ErrorCode};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::input::MePatch;
use crate::model::{Me, ProfileChanges};
use crate::state::AuthState;
use crate::storage;

/// The caller as a platform user, and the transaction context of their firm.
fn caller(principal: &Principal) -> Result<(Uuid, Option<Uuid>, TenantCtx), ApiError> {
    let user_id = principal
        .user_id
        .filter(|_| !principal.is_service())
        .ok_or_else(|| ApiError::not_found("User", &principal.subject))?;
    let ctx = match principal.firm_id {
        Some(firm) => TenantCtx::firm(firm, Some(user_id)),
        // No firm: row-level security hides every firm profile.
        None => TenantCtx {
            user_id: Some(user_id),
            ..TenantCtx::default()
        },
    };
    Ok((user_id.0, principal.firm_id.map(|f| f.0), ctx))
}

#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AuthState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let (user_id, firm_id, ctx) = caller(&principal)?;
    let me = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let user = storage::find_user(conn, user_id)
                .await?
                .filter(|u| u.deleted_at.is_none())
                .ok_or_else(|| ApiError::not_found("User", user_id))?;
            let profile = match firm_id {
                Some(firm) => storage::find_profile(conn, firm, user_id, false).await?,
                None => None,
            };
            Ok(Me::new(user, profile))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, me.etag().to_owned()))
        .json(me))
}

#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AuthState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, firm_id, ctx) = caller(&principal)?;
    let patch = MePatch::parse(body.into_inner())?;
    let if_match = req
        .headers()
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let me = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let user = storage::lock_user(conn, user_id)
                .await?
                .filter(|u| u.deleted_at.is_none())
                .ok_or_else(|| ApiError::not_found("User", user_id))?;
            let profile = match firm_id {
                Some(firm) => storage::find_profile(conn, firm, user_id, true).await?,
                None => None,
            };
            let current = Me::new(user.clone(), profile.clone());
            if let Some(expected) = if_match.filter(|v| v != "*")
                && expected != current.etag()
            {
                return Err(ApiError::new(
                    ErrorCode::PreconditionFailed,
                    "Your profile was changed since you read it",
                )
                .with_details(serde_json::json!({ "etag": current.etag() })));
            }
            let now = Utc::now();
            let user = match &patch.full_name {
                Some(name) => storage::set_full_name(conn, user_id, name, now).await?,
                None => user,
            };
            let profile = match profile {
                Some(profile) if patch.touches_profile() => {
                    let preferences = patch.merged_preferences(&profile.preferences)?;
                    let changes = ProfileChanges {
                        title: patch.title.clone(),
                        phone: patch.phone.clone(),
                        preferences,
                        updated_at: Some(now),
                        ..ProfileChanges::default()
                    };
                    Some(storage::update_profile(conn, profile.firm_id, user_id, changes).await?)
                }
                None if patch.touches_profile() => {
                    return Err(patch.no_profile_error());
                }
                other => other,
            };
            Ok(Me::new(user, profile))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, me.etag().to_owned()))
        .json(me))
}
