//! `GET /api/v1/auth/me/export`: everything the auth service holds about the
//! caller, as JSON (GDPR access): the user mirror, every firm profile, the login
//! sessions (never token hashes), and the credentials (lawyer licences in every
//! firm; the local password only as the dates it was set, never its hash).

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use lawos_auth::Principal;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use serde::Serialize;
use serde_json::json;

use crate::access;
use crate::model::Session;
use crate::state::AuthState;
use crate::storage::{self, admin, credentials, directory};
use crate::views::{ProfileView, UserView};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionView {
    id: uuid::Uuid,
    firm_id: Option<uuid::Uuid>,
    client_id: String,
    scope: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_reason: Option<String>,
}

impl From<Session> for SessionView {
    fn from(s: Session) -> Self {
        Self {
            id: s.id,
            firm_id: s.firm_id,
            client_id: s.client_id,
            scope: s.scope,
            created_at: s.created_at,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn export(
    state: web::Data<AuthState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let user_id = access::caller_id(&principal)
        .ok_or_else(|| ApiError::not_found("User", &principal.subject))?;
    // The caller's own rows in every firm: a platform transaction.
    let ctx = TenantCtx::platform(Some(user_id));
    let id = user_id.0;
    let body = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let user = storage::find_user(conn, id)
                .await?
                .filter(|u| u.deleted_at.is_none())
                .ok_or_else(|| access::user_not_found(id))?;
            let profiles = directory::visible_profiles(conn, id).await?;
            let sessions = admin::sessions_of(conn, id).await?;
            let password = admin::local_credential_dates(conn, id).await?;
            let lawyer = credentials::list_for_user(conn, id).await?;
            Ok(json!({
                "exportedAt": Utc::now(),
                "user": UserView::from(user),
                "profiles": profiles.into_iter().map(ProfileView::from).collect::<Vec<_>>(),
                "sessions": sessions.into_iter().map(SessionView::from).collect::<Vec<_>>(),
                "credentials": {
                    "localPassword": password.map(|(created, updated)| json!({
                        "createdAt": created, "updatedAt": updated
                    })),
                    "lawyer": lawyer,
                },
            }))
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            CONTENT_DISPOSITION,
            "attachment; filename=\"lawos-auth-export.json\"",
        ))
        .json(body))
}
