//! The firm's MyCase sync, administered by its `FIRM_ADMIN`
//! (`/api/v1/matters/integrations/mycase/`): the connection (`PUT` sets it,
//! secrets sealed and never answered; `GET`; `DELETE` disconnects, keeping
//! the run log), `POST /sync` (a run now: 202, or 409 while one runs) and the
//! run log (`GET /runs`, `GET /runs/{id}`).
//!
//! Order (ARCHITECTURE §5): authenticated → firm (the `Tenant` extractor) →
//! the role (`FIRM_ADMIN` of this firm, else 403) → the firm's own rows
//! (row-level security: another firm's connection or run is 404).

use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use serde_json::json;
use uuid::Uuid;

use super::if_match;
use crate::mycase::input::{PutConnection, RunPosition, RunsQuery};
use crate::mycase::model::{
    CLIENT_CREDENTIALS, Connection, ConnectionView, Credentials, MANUAL, Run, RunView,
};
use crate::mycase::seal::Secrets;
use crate::mycase::{MyCaseState, storage, sync};

pub const FIRM_ADMIN: &str = "FIRM_ADMIN";

/// The firm's administrator, and no one else.
fn firm_admin(tenant: &Tenant) -> Result<(), ApiError> {
    if tenant.principal.is_firm_admin_of(tenant.firm_id) {
        Ok(())
    } else {
        Err(
            ApiError::permission_denied("The firm's MyCase sync is administered by its FIRM_ADMIN")
                .with_details(json!({ "roles": [FIRM_ADMIN] })),
        )
    }
}

fn no_connection() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "The firm has no MyCase connection",
    )
    .with_details(json!({ "resourceType": "MyCaseConnection" }))
}

fn with_etag(mut res: HttpResponse, c: &Connection) -> HttpResponse {
    if let Ok(v) = c.etag().parse() {
        res.headers_mut().insert(ETAG, v);
    }
    res
}

/// `GET /api/v1/matters/integrations/mycase/`.
#[tracing::instrument(skip_all)]
pub async fn get_connection(
    state: web::Data<MyCaseState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let (c, creds, last) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let c = storage::connection(conn).await?.ok_or_else(no_connection)?;
            let creds = storage::credentials(conn, c.id).await?;
            let last = storage::last_success(conn, &c).await?;
            Ok((c, creds, last))
        }
        .scope_boxed()
    })
    .await?;
    let creds = creds.ok_or_else(|| ApiError::internal("a live connection without credentials"))?;
    let view = ConnectionView::new(&c, &creds, last.as_ref(), &state.config);
    Ok(with_etag(HttpResponse::Ok().json(view), &c))
}

/// `PUT /api/v1/matters/integrations/mycase/`: connects (201) or changes the
/// connection (200). Pointing it at another MyCase pulls everything again.
#[tracing::instrument(skip_all)]
pub async fn put_connection(
    state: web::Data<MyCaseState>,
    tenant: Tenant,
    req: HttpRequest,
    body: web::Json<PutConnection>,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let body = body.into_inner();
    let expected = if_match(&req);
    let (firm, by) = (tenant.firm_id.0, tenant.principal.user_id.map(|u| u.0));
    let config = state.config.clone();
    let (created, c, creds, last) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let now = Utc::now();
            let stored = storage::lock_connection(conn).await?;
            let stored_creds = match &stored {
                Some(c) => storage::credentials(conn, c.id).await?,
                None => None,
            };
            if let (Some(etag), Some(c)) = (&expected, &stored)
                && *etag != c.etag()
            {
                return Err(ApiError::new(
                    ErrorCode::PreconditionFailed,
                    "The connection was changed since you read it",
                )
                .with_details(json!({ "etag": c.etag() })));
            }
            let valid = body.validate(stored_creds.as_ref(), config.allow_http)?;
            let key = &config.key;
            let (created, c, mut secrets) = match stored {
                None => {
                    let row = Connection {
                        id: Uuid::now_v7(),
                        firm_id: firm,
                        base_url: valid.base_url,
                        token_url: valid.token_url,
                        grant_type: valid.grant_type,
                        client_id: valid.client_id,
                        interval_minutes: valid.interval_minutes,
                        enabled: valid.enabled,
                        resync_from: now,
                        disconnected_at: None,
                        created_by: by,
                        updated_by: by,
                        created_at: now,
                        updated_at: now,
                    };
                    (
                        true,
                        storage::insert_connection(conn, row).await?,
                        Secrets::default(),
                    )
                }
                Some(old) => {
                    let secrets = match &stored_creds {
                        Some(cr) => key.open(old.id, &cr.key_id, &cr.ciphertext)?,
                        None => Secrets::default(),
                    };
                    let moved = old.api_url(&config)
                        != valid
                            .base_url
                            .clone()
                            .unwrap_or_else(|| config.api_url.clone())
                        || old.client_id != valid.client_id;
                    let row = Connection {
                        base_url: valid.base_url,
                        token_url: valid.token_url,
                        grant_type: valid.grant_type,
                        client_id: valid.client_id,
                        interval_minutes: valid.interval_minutes,
                        enabled: valid.enabled,
                        resync_from: if moved { now } else { old.resync_from },
                        updated_by: by,
                        updated_at: now,
                        ..old
                    };
                    (
                        false,
                        storage::update_connection(conn, &row).await?,
                        secrets,
                    )
                }
            };
            if let Some(s) = valid.client_secret {
                secrets.client_secret = Some(s);
            }
            if let Some(t) = valid.refresh_token {
                secrets.refresh_token = Some(t);
            }
            if c.grant_type == CLIENT_CREDENTIALS {
                secrets.refresh_token = None;
            }
            let creds = storage::put_credentials(
                conn,
                Credentials {
                    connection_id: c.id,
                    firm_id: firm,
                    ciphertext: key.seal(c.id, &secrets)?,
                    key_id: key.id().to_owned(),
                    has_client_secret: secrets.client_secret.is_some(),
                    has_refresh_token: secrets.refresh_token.is_some(),
                    updated_at: now,
                },
            )
            .await?;
            let last = storage::last_success(conn, &c).await?;
            Ok((created, c, creds, last))
        }
        .scope_boxed()
    })
    .await?;
    tracing::info!(connection_id = %c.id, created, "MyCase connection stored");
    let view = ConnectionView::new(&c, &creds, last.as_ref(), &state.config);
    let res = if created {
        HttpResponse::Created()
            .insert_header((LOCATION, "/api/v1/matters/integrations/mycase/"))
            .json(view)
    } else {
        HttpResponse::Ok().json(view)
    };
    Ok(with_etag(res, &c))
}

/// `DELETE /api/v1/matters/integrations/mycase/`: disconnects (its secrets
/// destroyed, the run log kept); 409 while a run works.
#[tracing::instrument(skip_all)]
pub async fn delete_connection(
    state: web::Data<MyCaseState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let by = tenant.principal.user_id.map(|u| u.0);
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let c = storage::lock_connection(conn)
                .await?
                .ok_or_else(no_connection)?;
            if let Some(live) = storage::running(conn).await? {
                return Err(sync::busy(Some(&live)));
            }
            storage::disconnect(conn, c.id, by, Utc::now()).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/matters/integrations/mycase/sync`: a run now, worked in the
/// background (202 with the run; follow it at `/runs/{id}`).
#[tracing::instrument(skip_all)]
pub async fn sync_now(
    state: web::Data<MyCaseState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let by = tenant.principal.user_id.map(|u| u.0);
    let started = sync::start(&state, tenant.firm_id, MANUAL, by).await?;
    let view = RunView::from(&started.run);
    let id = started.run.id;
    let state = state.into_inner();
    tokio::spawn(async move {
        if let Err(e) = sync::execute(&state, started).await {
            tracing::error!(run_id = %id, error = %e.message, "MyCase run not recorded");
        }
    });
    Ok(HttpResponse::Accepted()
        .insert_header((
            LOCATION,
            format!("/api/v1/matters/integrations/mycase/runs/{id}"),
        ))
        .json(view))
}

/// `GET /api/v1/matters/integrations/mycase/runs`: the sync log, newest first.
#[tracing::instrument(skip_all)]
pub async fn list_runs(
    state: web::Data<MyCaseState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<RunsQuery>,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let q = query.into_inner().validate(&cursors)?;
    let limit = q.limit;
    let rows = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { storage::list_runs(conn, q.status.as_deref(), q.after, q.limit).await }
            .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, None, |r: &Run| {
        let at: RunPosition = (r.started_at, r.id);
        cursors.encode(&at)
    })?;
    Ok(HttpResponse::Ok().json(Page {
        data: page.data.iter().map(RunView::from).collect::<Vec<_>>(),
        pagination: page.pagination,
    }))
}

/// `GET /api/v1/matters/integrations/mycase/runs/{id}`.
#[tracing::instrument(skip_all, fields(run_id = %path))]
pub async fn get_run(
    state: web::Data<MyCaseState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    firm_admin(&tenant)?;
    let id = path.into_inner();
    let run = with_tenant(&state.db, &tenant.ctx(), |conn| {
        storage::run(conn, id).scope_boxed()
    })
    .await?
    .ok_or_else(|| ApiError::not_found("MyCaseRun", id))?;
    Ok(HttpResponse::Ok().json(RunView::from(&run)))
}
