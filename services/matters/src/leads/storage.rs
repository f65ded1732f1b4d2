//! Queries of the lead-intake tables. Firm-bound ones take a connection inside
//! the firm's transaction; the cross-firm lookups (a form by key hash, a page
//! mapping by page id, due deliveries) take one inside a platform transaction
//! (`app.all_firms`), which these tables' policies admit for reading.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use super::model::{DONE, Delivery, FAILED, Lead, LeadForm, MetaPage, NewDelivery, PENDING};
use crate::schema::{lead_deliveries, lead_forms, leads, meta_pages};

pub async fn insert_form(
    conn: &mut AsyncPgConnection,
    form: LeadForm,
) -> Result<LeadForm, ApiError> {
    Ok(diesel::insert_into(lead_forms::table)
        .values(form)
        .returning(LeadForm::as_returning())
        .get_result(conn)
        .await?)
}

/// The firm's forms, newest first (a firm has a handful).
pub async fn list_forms(conn: &mut AsyncPgConnection) -> Result<Vec<LeadForm>, ApiError> {
    Ok(lead_forms::table
        .select(LeadForm::as_select())
        .order((lead_forms::created_at.desc(), lead_forms::id.desc()))
        .limit(500)
        .load(conn)
        .await?)
}

/// Disables an active form; false when there is none by that id.
pub async fn disable_form(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        lead_forms::table
            .find(id)
            .filter(lead_forms::disabled_at.is_null()),
    )
    .set(lead_forms::disabled_at.eq(now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// The active form whose key hashes to `hash` (platform transaction).
pub async fn form_by_key(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> Result<Option<LeadForm>, ApiError> {
    Ok(lead_forms::table
        .filter(lead_forms::key_hash.eq(hash))
        .filter(lead_forms::disabled_at.is_null())
        .select(LeadForm::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_page(
    conn: &mut AsyncPgConnection,
    page: MetaPage,
) -> Result<MetaPage, ApiError> {
    diesel::insert_into(meta_pages::table)
        .values(page)
        .returning(MetaPage::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| crate::storage::conflict_field(e, "pageId"))
}

pub async fn list_pages(conn: &mut AsyncPgConnection) -> Result<Vec<MetaPage>, ApiError> {
    Ok(meta_pages::table
        .select(MetaPage::as_select())
        .order((meta_pages::created_at.desc(), meta_pages::id.desc()))
        .limit(500)
        .load(conn)
        .await?)
}

pub async fn disable_page(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        meta_pages::table
            .find(id)
            .filter(meta_pages::disabled_at.is_null()),
    )
    .set(meta_pages::disabled_at.eq(now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

pub async fn page(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<MetaPage>, ApiError> {
    Ok(meta_pages::table
        .find(id)
        .select(MetaPage::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The active mapping of a page and form (platform transaction): the one naming
/// the form, else the page's catch-all (no form).
pub async fn page_for(
    conn: &mut AsyncPgConnection,
    page_id: &str,
    form_id: Option<&str>,
) -> Result<Option<MetaPage>, ApiError> {
    let rows: Vec<MetaPage> = meta_pages::table
        .filter(meta_pages::page_id.eq(page_id))
        .filter(meta_pages::disabled_at.is_null())
        .select(MetaPage::as_select())
        .load(conn)
        .await?;
    let exact = rows
        .iter()
        .find(|p| p.form_id.is_some() && p.form_id.as_deref() == form_id)
        .cloned();
    Ok(exact.or_else(|| rows.into_iter().find(|p| p.form_id.is_none())))
}

/// Records a delivery once per leadgen id; `None` when it was already recorded.
pub async fn record_delivery(
    conn: &mut AsyncPgConnection,
    new: NewDelivery,
) -> Result<Option<Uuid>, ApiError> {
    Ok(diesel::insert_into(lead_deliveries::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(lead_deliveries::id)
        .get_result(conn)
        .await
        .optional()?)
}

/// Due pending deliveries of every firm (platform transaction): `(id, firm)`.
pub async fn due_deliveries(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(Uuid, Uuid)>, ApiError> {
    Ok(lead_deliveries::table
        .filter(lead_deliveries::status.eq(PENDING))
        .filter(lead_deliveries::next_attempt_at.le(now))
        .order(lead_deliveries::next_attempt_at.asc())
        .select((lead_deliveries::id, lead_deliveries::firm_id))
        .limit(limit)
        .load(conn)
        .await?)
}

/// Takes a due pending delivery for one attempt, leasing it until `lease_until`
/// so no other worker takes it meanwhile; `None` when it is not due or taken.
pub async fn claim_delivery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Delivery>, ApiError> {
    Ok(diesel::update(
        lead_deliveries::table
            .find(id)
            .filter(lead_deliveries::status.eq(PENDING))
            .filter(lead_deliveries::next_attempt_at.le(now)),
    )
    .set((
        lead_deliveries::attempts.eq(lead_deliveries::attempts + 1),
        lead_deliveries::next_attempt_at.eq(lease_until),
    ))
    .returning(Delivery::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Schedules another attempt, or gives up (`FAILED`) when `retry_at` is `None`.
pub async fn delivery_failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    let error: String = error.chars().take(1_000).collect();
    // Only a pending delivery: an attempt whose lease ran out must not undo
    // one that succeeded meanwhile.
    let target = lead_deliveries::table
        .find(id)
        .filter(lead_deliveries::status.eq(PENDING));
    match retry_at {
        Some(at) => {
            diesel::update(target)
                .set((
                    lead_deliveries::next_attempt_at.eq(at),
                    lead_deliveries::last_error.eq(error),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((
                    lead_deliveries::status.eq(FAILED),
                    lead_deliveries::last_error.eq(error),
                    lead_deliveries::processed_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

pub async fn delivery_done(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    matter: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(lead_deliveries::table.find(id))
        .set((
            lead_deliveries::status.eq(DONE),
            lead_deliveries::matter_id.eq(matter),
            lead_deliveries::last_error.eq(None::<String>),
            lead_deliveries::processed_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_lead(conn: &mut AsyncPgConnection, lead: Lead) -> Result<Lead, ApiError> {
    Ok(diesel::insert_into(leads::table)
        .values(lead)
        .returning(Lead::as_returning())
        .get_result(conn)
        .await?)
}

/// The latest lead with `dedupe_key` taken since `since`.
pub async fn recent_lead(
    conn: &mut AsyncPgConnection,
    dedupe_key: &str,
    since: DateTime<Utc>,
) -> Result<Option<Lead>, ApiError> {
    Ok(leads::table
        .filter(leads::dedupe_key.eq(dedupe_key))
        .filter(leads::created_at.ge(since))
        .order(leads::created_at.desc())
        .select(Lead::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Serialises intake of one dedupe key for the rest of the transaction.
pub async fn lock_key(conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
    diesel::sql_query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("matters.leads:{key}"))
        .execute(conn)
        .await?;
    Ok(())
}
