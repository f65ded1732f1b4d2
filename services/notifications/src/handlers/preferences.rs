//! `GET` / `PUT /api/v1/notifications/preferences`: the caller's settings and
//! every type × channel with its effective value and where it comes from
//! (MANDATORY, USER, FIRM, DEFAULT). PUT replaces the caller's choices
//! (`If-Match` honoured); a mandatory notice cannot be turned off (422).

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
use uuid::Uuid;

use crate::access::{self, READ, UPDATE};
use crate::catalogue::{CHANNELS, KINDS};
use crate::delivery::plan::Prefs;
use crate::input::{PreferencesBody, QuietHours};
use crate::model::UserSettings;
use crate::state::NotifyState;
use crate::storage::preferences;

/// One type × channel as it applies to the caller.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveChoice {
    #[serde(rename = "type")]
    pub kind: String,
    pub channel: String,
    pub enabled: bool,
    pub mandatory: bool,
    /// `MANDATORY`, `USER`, `FIRM` or `DEFAULT`.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesView {
    /// The caller's own time zone (`null`: the firm's applies).
    pub time_zone: Option<String>,
    /// The zone quiet hours and the digest follow (theirs, the firm's, or UTC).
    pub effective_time_zone: String,
    pub quiet_hours: Option<QuietHours>,
    pub email_digest: String,
    pub digest_hour: i16,
    pub channels: Vec<EffectiveChoice>,
}

pub(crate) fn effective(prefs: &Prefs) -> Vec<EffectiveChoice> {
    KINDS
        .iter()
        .flat_map(|k| {
            CHANNELS.iter().map(move |ch| {
                let (enabled, source) = prefs.enabled(k, ch);
                EffectiveChoice {
                    kind: k.code.to_owned(),
                    channel: (*ch).to_owned(),
                    enabled,
                    mandatory: k.mandatory && k.on_by_default(ch),
                    source: source.as_str().to_owned(),
                }
            })
        })
        .collect()
}

async fn load(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
) -> Result<PreferencesView, ApiError> {
    let prefs = Prefs {
        user: preferences::user_choices(conn, user).await?,
        firm: preferences::firm_choices(conn).await?,
        settings: preferences::settings(conn, firm, user)
            .await?
            .unwrap_or_else(|| UserSettings::defaults(firm, user)),
        firm_time_zone: preferences::firm_settings(conn).await?.time_zone,
    };
    let s = &prefs.settings;
    Ok(PreferencesView {
        time_zone: s.time_zone.clone(),
        effective_time_zone: prefs.time_zone().name().to_owned(),
        quiet_hours: s.quiet_start.zip(s.quiet_end).map(|(a, b)| QuietHours {
            start: a.format("%H:%M").to_string(),
            end: b.format("%H:%M").to_string(),
        }),
        email_digest: s.email_digest.clone(),
        digest_hour: s.digest_hour,
        channels: effective(&prefs),
    })
}

fn respond(view: &PreferencesView) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, super::etag_of(view)?))
        .json(view))
}

#[tracing::instrument(skip_all)]
pub async fn get(state: web::Data<NotifyState>, tenant: Tenant) -> Result<HttpResponse, ApiError> {
    let reader = access::reader(&state.authz, &tenant, READ).await?;
    let (firm, user) = (reader.firm.0, reader.user.0);
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        load(conn, firm, user).scope_boxed()
    })
    .await?;
    respond(&view)
}

#[tracing::instrument(skip_all)]
pub async fn put(
    state: web::Data<NotifyState>,
    tenant: Tenant,
    req: HttpRequest,
    body: web::Json<PreferencesBody>,
) -> Result<HttpResponse, ApiError> {
    let reader = access::reader(&state.authz, &tenant, UPDATE).await?;
    let valid = body.into_inner().validate()?;
    let (firm, user) = (reader.firm.0, reader.user.0);
    let expected = super::if_match(&req);
    let view = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let current = load(conn, firm, user).await?;
            super::check_fresh(expected.as_deref(), &super::etag_of(&current)?)?;
            let now = Utc::now();
            let last_digest_at = preferences::settings(conn, firm, user)
                .await?
                .and_then(|s| s.last_digest_at);
            let settings = UserSettings {
                firm_id: firm,
                user_id: user,
                time_zone: valid.time_zone,
                quiet_start: valid.quiet.map(|q| q.0),
                quiet_end: valid.quiet.map(|q| q.1),
                email_digest: valid.email_digest,
                digest_hour: valid.digest_hour,
                last_digest_at,
                updated_at: now,
            };
            preferences::save_settings(conn, &settings).await?;
            preferences::replace_user_choices(conn, firm, user, &valid.choices, now).await?;
            load(conn, firm, user).await
        }
        .scope_boxed()
    })
    .await?;
    respond(&view)
}
