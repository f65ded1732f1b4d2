//! iCalendar: `GET /appointments/{id}.ics` (one appointment, bearer token) and
//! the per-user feed `GET /appointments/feed.ics?token=` (public: the token is
//! the credential). Tokens are `lft_` + base64url(firm id ‖ 32 random bytes):
//! unguessable, only their SHA-256 is stored, revocable
//! (`POST/GET/DELETE /appointments/feed-tokens`, `DELETE …/feed-tokens/{id}`).
//! A malformed, unknown or revoked token is 404. The feed shows what its user
//! may still read now (their current capabilities decide, as for a request).

use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lawos_authz::Decision;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, FirmId, Page, Pagination, UserId};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{TenantCtx, with_tenant};
use lawos_tenancy::Tenant;
use rand::RngCore;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::appointments::load;
use crate::access::{self, APPOINTMENTS_READ};
use crate::ical::{self, Entry};
use crate::input::trimmed;
use crate::schedule::Loaded;
use crate::state::TasksState;
use crate::storage::{appointments, feeds};

const PREFIX: &str = "lft_";
/// The longest label a feed token may carry.
const LABEL_MAX: usize = 100;
const CALENDAR: &str = "text/calendar; charset=utf-8";

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The firm a token names, if it has the token's shape.
fn firm_of(token: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix(PREFIX)?).ok()?;
    (bytes.len() == 48)
        .then(|| Uuid::from_slice(&bytes[..16]).ok())
        .flatten()
}

fn feed_not_found() -> ApiError {
    ApiError::not_found("Feed", "token")
}

fn me(tenant: &Tenant) -> Result<Uuid, ApiError> {
    tenant
        .principal
        .user_id
        .map(|u| u.0)
        .ok_or_else(|| ApiError::permission_denied("Feeds belong to users"))
}

/// `POST /appointments/feed-tokens`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFeedToken {
    /// A name to recognise it by (e.g. "Phone"), at most 100 characters.
    #[schemars(length(max = 100))]
    pub label: Option<String>,
}

/// A new token: shown once.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedFeedToken {
    #[serde(flatten)]
    pub token: crate::model::FeedToken,
    /// The secret (only now; only its hash is kept).
    pub secret: String,
    /// Path of the feed to subscribe to.
    pub feed_path: String,
}

#[tracing::instrument(skip_all)]
pub async fn create_token(
    state: web::Data<TasksState>,
    tenant: Tenant,
    body: web::Json<NewFeedToken>,
) -> Result<HttpResponse, ApiError> {
    let user = me(&tenant)?;
    state
        .authz
        .authorize_firm(&tenant.principal, tenant.firm_id, APPOINTMENTS_READ)
        .await?;
    let label = body.into_inner().label;
    if label
        .as_ref()
        .is_some_and(|l| l.chars().count() > LABEL_MAX)
    {
        return Err(FieldErrors::single(
            "label",
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {LABEL_MAX} characters"),
        )
        .into_api_error());
    }
    let label = trimmed(label);
    let mut bytes = tenant.firm_id.0.as_bytes().to_vec();
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    bytes.extend_from_slice(&secret);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(&bytes));
    let (firm, digest) = (tenant.firm_id.0, hash(&token));
    let stored = with_tenant(&state.db, &tenant.ctx(), |conn| {
        feeds::create(conn, firm, user, digest, label).scope_boxed()
    })
    .await?;
    let feed_path = format!("/api/v1/tasks/appointments/feed.ics?token={token}");
    Ok(HttpResponse::Created().json(CreatedFeedToken {
        token: stored,
        secret: token,
        feed_path,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn list_tokens(
    state: web::Data<TasksState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let user = me(&tenant)?;
    let data = with_tenant(&state.db, &tenant.ctx(), |conn| {
        feeds::of_user(conn, user).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        data,
        pagination: Pagination {
            next_cursor: None,
            has_more: false,
            total: None,
        },
    }))
}

#[tracing::instrument(skip_all)]
pub async fn revoke_all(
    state: web::Data<TasksState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let user = me(&tenant)?;
    let n = with_tenant(&state.db, &tenant.ctx(), |conn| {
        feeds::revoke(conn, user, None).scope_boxed()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "revoked": n })))
}

#[tracing::instrument(skip_all, fields(token_id = %path))]
pub async fn revoke_one(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (me(&tenant)?, path.into_inner());
    let n = with_tenant(&state.db, &tenant.ctx(), |conn| {
        feeds::revoke(conn, user, Some(id)).scope_boxed()
    })
    .await?;
    if n == 0 {
        return Err(ApiError::not_found("FeedToken", id));
    }
    Ok(HttpResponse::NoContent().finish())
}

fn calendar_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CALENDAR)
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(body)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// The feed token (from `POST /api/v1/tasks/appointments/feed-tokens`).
    pub token: String,
}

#[tracing::instrument(skip_all)]
pub async fn feed(
    state: web::Data<TasksState>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.into_inner().token;
    let firm = firm_of(&token).ok_or_else(feed_not_found)?;
    let digest = hash(&token);
    let ctx = TenantCtx::firm(FirmId(firm), None);
    let user = with_tenant(&state.db, &ctx, |conn| {
        feeds::holder(conn, digest).scope_boxed()
    })
    .await?
    .ok_or_else(feed_not_found)?;
    let caps = state.authz.capabilities(firm, user).await?;
    if caps.reach(APPOINTMENTS_READ).is_none() && caps.doc.grants.is_empty() {
        return Err(feed_not_found());
    }
    let ctx = TenantCtx::firm(FirmId(firm), Some(UserId(user)));
    let (list, mut people, mut exceptions) = with_tenant(&state.db, &ctx, |conn| {
        async move {
            let list = feeds::appointments_of(conn, user).await?;
            let ids: Vec<Uuid> = list.iter().map(|a| a.id).collect();
            Ok((
                list,
                appointments::attendees_of(conn, &ids).await?,
                appointments::exceptions_of(conn, &ids).await?,
            ))
        }
        .scope_boxed()
    })
    .await?;
    let loaded: Vec<(Loaded, Vec<crate::model::Exception>)> = list
        .into_iter()
        .map(|a| {
            let (att, exc) = (
                people.remove(&a.id).unwrap_or_default(),
                exceptions.remove(&a.id).unwrap_or_default(),
            );
            (
                Loaded {
                    appointment: a,
                    attendees: att,
                },
                exc,
            )
        })
        .filter(|(l, _)| {
            access::decide(&caps, APPOINTMENTS_READ, &l.item(Some(user))) == Decision::Allowed
        })
        .collect();
    let entries: Vec<Entry<'_>> = loaded
        .iter()
        .map(|(l, x)| Entry {
            appointment: &l.appointment,
            attendees: &l.attendees,
            exceptions: x,
        })
        .collect();
    Ok(calendar_response(ical::calendar(
        "LawOS appointments",
        &entries,
    )))
}

#[tracing::instrument(skip_all, fields(appointment_id = %path))]
pub async fn one(
    state: web::Data<TasksState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = state
        .authz
        .access(&tenant.principal, tenant.firm_id)
        .await?;
    let me = tenant.principal.user_id.map(|u| u.0);
    let (loaded, exceptions) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let loaded = load(conn, id, false).await?;
            let exceptions = appointments::exceptions(conn, id).await?;
            Ok((loaded, exceptions))
        }
        .scope_boxed()
    })
    .await?;
    access::require(&access, APPOINTMENTS_READ, &loaded.item(me))?;
    let entry = Entry {
        appointment: &loaded.appointment,
        attendees: &loaded.attendees,
        exceptions: &exceptions,
    };
    Ok(calendar_response(ical::calendar(
        &loaded.appointment.title,
        &[entry],
    )))
}
