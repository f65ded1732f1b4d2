//! Time entries: create (the rate in force frozen on the row), get, list
//! (what the caller may see, decided in SQL), edit, soft delete.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use lawos_authz::Decision;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, CursorCodec, ErrorCode, Page};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::with_tenant;
use lawos_tenancy::Tenant;
use uuid::Uuid;

use super::{check_fresh, created, if_match, respond, today, user_of};
use crate::access::{self, Caller, TE_CREATE, TE_READ, TE_UPDATE, TIME_ENTRY};
use crate::input::lists::{DatePosition, EntryQuery};
use crate::input::time::{CreateTimeEntry, UpdateTimeEntry, ValidTimeEntry};
use crate::lifecycle::{Status, check_editable};
use crate::model::TimeEntry;
use crate::money::time_amount;
use crate::remote::MatterInfo;
use crate::state::BillingState;
use crate::storage::{entries, rates};

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("TimeEntry", id)
}

/// The matter a new row goes under: it exists at matters (else 422 naming
/// `field`), is not closed (400), and the caller reaches it with `scope`.
pub(crate) async fn matter_for_new(
    state: &BillingState,
    tenant: &Tenant,
    caller: &Caller,
    scope: &str,
    kind: &'static str,
    matter: Uuid,
) -> Result<MatterInfo, ApiError> {
    match caller.access.decide(
        scope,
        &lawos_authz::Resource::new(kind, Uuid::nil()).under(lawos_authz::MATTER, matter),
    ) {
        Decision::Allowed => {}
        Decision::Forbidden => {
            return Err(ApiError::permission_denied(format!(
                "This action requires the {scope} scope"
            ))
            .with_details(serde_json::json!({ "requiredScopes": [scope] })));
        }
        Decision::Hidden => {
            return Err(FieldErrors::single(
                "matterId",
                ErrorCode::ResourceNotFound,
                "no such matter in your reach",
            )
            .into());
        }
    }
    let info = state
        .remote
        .matter(tenant.firm_id, matter, "matterId")
        .await?;
    if info.is_closed() {
        return Err(ApiError::new(
            ErrorCode::CaseAlreadyClosed,
            "The matter is closed",
        ));
    }
    Ok(info)
}

/// Builds a DRAFT entry of `user` with the rate in force frozen on it.
pub(crate) async fn new_entry(
    conn: &mut diesel_async::AsyncPgConnection,
    firm: Uuid,
    user: Uuid,
    partner: bool,
    valid: ValidTimeEntry,
    timer: Option<Uuid>,
) -> Result<TimeEntry, ApiError> {
    rates::require_code(conn, &valid.activity_code, "activityCode").await?;
    let rate = rates::in_force(
        conn,
        user,
        valid.matter_id,
        &valid.activity_code,
        valid.work_date,
    )
    .await?;
    let (rate_minor, currency, rate_id) = match rate {
        Some(r) => (r.rate_minor, r.currency, Some(r.id)),
        None if !valid.is_billable => (0, "USD".to_owned(), None),
        None => {
            return Err(FieldErrors::single(
                "billingRate",
                ErrorCode::RequiredFieldMissing,
                "no billing rate is in force for you on this matter and date; a firm administrator sets rates",
            )
            .into());
        }
    };
    let total = time_amount(i64::from(valid.duration_minutes), rate_minor).ok_or_else(|| {
        ApiError::from(FieldErrors::single(
            "durationMinutes",
            ErrorCode::InvalidFieldFormat,
            "the amount is too large",
        ))
    })?;
    let now = Utc::now();
    let entry = TimeEntry {
        id: Uuid::now_v7(),
        firm_id: firm,
        user_id: user,
        matter_id: valid.matter_id,
        kind: if partner { "PARTNER" } else { "LAWYER" }.to_owned(),
        activity_code: valid.activity_code,
        description: valid.description,
        duration_minutes: valid.duration_minutes,
        is_billable: valid.is_billable,
        billing_rate_minor: rate_minor,
        currency,
        rate_id,
        total_amount_minor: total,
        status: Status::Draft.as_str().to_owned(),
        work_date: valid.work_date,
        submitted_at: None,
        approved_by: None,
        approved_at: None,
        rejected_by: None,
        rejected_at: None,
        rejection_reason: None,
        invoice_id: None,
        timer_id: timer,
        created_by: Some(user),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    entries::insert(conn, entry).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<BillingState>,
    tenant: Tenant,
    body: web::Json<CreateTimeEntry>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_CREATE).await?;
    let me = user_of(&tenant)?;
    let valid = body.into_inner().validate(today())?;
    matter_for_new(
        &state,
        &tenant,
        &caller,
        TE_CREATE,
        TIME_ENTRY,
        valid.matter_id,
    )
    .await?;
    let (firm, partner) = (tenant.firm_id.0, caller.is_partner());
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        new_entry(conn, firm, me, partner, valid, None).scope_boxed()
    })
    .await?;
    Ok(created(
        format!("/api/v1/billing/time-entries/{}", entry.id),
        Some(&entry.etag()),
        &entry,
    ))
}

/// The entry if the caller may use `scope` on it (own, or by reach).
pub(crate) async fn visible(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    scope: &str,
    id: Uuid,
    lock: bool,
) -> Result<TimeEntry, ApiError> {
    let entry = if lock {
        entries::lock(conn, id).await?
    } else {
        entries::find(conn, id).await?
    }
    .ok_or_else(|| not_found(id))?;
    caller.require_on(scope, TIME_ENTRY, id, entry.matter_id, entry.user_id)?;
    Ok(entry)
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn get(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move { visible(conn, &caller, TE_READ, id, false).await }.scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &entry.etag(), &entry))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<BillingState>,
    cursors: web::Data<CursorCodec>,
    tenant: Tenant,
    query: web::Query<EntryQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = access::caller(&state.authz, &tenant, TE_READ).await?;
    let visible = caller.matter_filter(TE_READ)?;
    let filter = query.into_inner().validate(&cursors, caller.me)?;
    let (me, limit) = (caller.me, filter.limit);
    let (rows, total) = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let rows = entries::list(conn, &filter, &visible, me).await?;
            Ok((rows, entries::count(conn, &filter, &visible, me).await?))
        }
        .scope_boxed()
    })
    .await?;
    let page = Page::from_rows(rows, limit, Some(total), |e: &TimeEntry| {
        cursors.encode(&DatePosition {
            date: e.work_date,
            id: e.id,
        })
    })?;
    Ok(HttpResponse::Ok().json(page))
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn update(
    state: web::Data<BillingState>,
    tenant: Tenant,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateTimeEntry>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_UPDATE).await?;
    let patch = body.into_inner().validate()?;
    let expected = if_match(&req);
    let entry = with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_UPDATE, id, true).await?;
            check_editable("time entry", e.status())?;
            check_fresh(expected.as_deref(), &e.etag())?;
            if let Some(code) = patch.activity_code {
                rates::require_code(conn, &code, "activityCode").await?;
                e.activity_code = code;
            }
            if let Some(d) = patch.description {
                e.description = d;
            }
            if let Some(m) = patch.duration_minutes {
                e.duration_minutes = m;
                e.total_amount_minor =
                    time_amount(i64::from(m), e.billing_rate_minor).ok_or_else(|| {
                        ApiError::from(FieldErrors::single(
                            "durationMinutes",
                            ErrorCode::InvalidFieldFormat,
                            "the amount is too large",
                        ))
                    })?;
            }
            if let Some(b) = patch.is_billable {
                e.is_billable = b;
            }
            if let Some(w) = patch.work_date {
                e.work_date = w;
            }
            // Reworking a rejected entry takes it back to DRAFT.
            e.status = Status::Draft.as_str().to_owned();
            entries::save(conn, &e).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(respond(StatusCode::OK, &entry.etag(), &entry))
}

#[tracing::instrument(skip_all, fields(time_entry_id = %path))]
pub async fn delete(
    state: web::Data<BillingState>,
    tenant: Tenant,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caller = access::caller(&state.authz, &tenant, TE_UPDATE).await?;
    with_tenant(&state.db, &tenant.ctx(), |conn| {
        async move {
            let mut e = visible(conn, &caller, TE_UPDATE, id, true).await?;
            check_editable("time entry", e.status())?;
            e.deleted_at = Some(Utc::now());
            entries::save(conn, &e).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
