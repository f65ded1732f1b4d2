//! `GET` / `PUT /api/v1/notifications/firm-settings`: the firm's sender
//! address and name, its time zone, and its defaults per type × channel
//! (its administrator only; `If-Match` honoured).

use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use schemars::JsonSchema;
use serde::Serialize;

use crate::access;
use crate::input::{ChoiceBody, FirmSettingsBody};
use crate::state::NotifyState;
use crate::storage::preferences;

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirmSettingsView {
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub time_zone: Option<String>,
    /// The firm's switches; types left out use the type's default.
    pub defaults: Vec<ChoiceBody>,
}

async fn load(conn: &mut AsyncPgConnection) -> Result<FirmSettingsView, ApiError> {
    let s = preferences::firm_settings(conn).await?;
    let defaults = preferences::firm_choices(conn)
        .await?
        .into_iter()
        .map(|c| ChoiceBody {
            kind: Some(c.kind),
            channel: Some(c.channel),
            enabled: Some(c.enabled),
        })
        .collect();
    Ok(FirmSettingsView {
        from_address: s.from_address,
        from_name: s.from_name,
        time_zone: s.time_zone,
        defaults,
    })
}

fn respond(view: &FirmSettingsView) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, super::etag_of(view)?))
        .json(view))
}

#[tracing::instrument(skip_all)]
pub async fn get(state: web::Data<NotifyState>, tenant: Tenant) -> Result<HttpResponse, ApiError> {
    access::firm_admin(&tenant)?;
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| load(conn).scope_boxed()).await?;
    respond(&view)
}

#[tracing::instrument(skip_all)]
pub async fn put(
    state: web::Data<NotifyState>,
    tenant: Tenant,
    req: HttpRequest,
    body: web::Json<FirmSettingsBody>,
) -> Result<HttpResponse, ApiError> {
    access::firm_admin(&tenant)?;
    let valid = body.into_inner().validate()?;
    let firm = tenant.firm_id.0;
    let expected = super::if_match(&req);
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = load(conn).await?;
            super::check_fresh(expected.as_deref(), &super::etag_of(&current)?)?;
            let now = Utc::now();
            preferences::save_firm_settings(conn, firm, &valid.settings, now).await?;
            preferences::replace_firm_choices(conn, firm, &valid.choices, now).await?;
            load(conn).await
        }
        .scope_boxed()
    })
    .await?;
    respond(&view)
}
