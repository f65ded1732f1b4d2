//! Time entries: insert, find, lock, change, list (decided in SQL).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::EntryFilter;
use crate::model::TimeEntry;
use crate::schema::time_entries as te;

pub async fn insert(conn: &mut AsyncPgConnection, entry: TimeEntry) -> Result<TimeEntry, ApiError> {
    Ok(diesel::insert_into(te::table)
        .values(entry)
        .returning(TimeEntry::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<TimeEntry>, ApiError> {
    Ok(te::table
        .find(id)
        .filter(te::deleted_at.is_null())
        .select(TimeEntry::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locking the row for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<TimeEntry>, ApiError> {
    Ok(te::table
        .find(id)
        .filter(te::deleted_at.is_null())
        .select(TimeEntry::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Writes the row back as changed in memory (data and lifecycle columns).
pub async fn save(conn: &mut AsyncPgConnection, e: &TimeEntry) -> Result<TimeEntry, ApiError> {
    Ok(diesel::update(te::table.find(e.id))
        .set((
            te::activity_code.eq(&e.activity_code),
            te::description.eq(&e.description),
            te::duration_minutes.eq(e.duration_minutes),
            te::is_billable.eq(e.is_billable),
            te::total_amount_minor.eq(e.total_amount_minor),
            te::work_date.eq(e.work_date),
            te::status.eq(&e.status),
            te::submitted_at.eq(e.submitted_at),
            te::approved_by.eq(e.approved_by),
            te::approved_at.eq(e.approved_at),
            te::rejected_by.eq(e.rejected_by),
            te::rejected_at.eq(e.rejected_at),
            te::rejection_reason.eq(&e.rejection_reason),
            te::deleted_at.eq(e.deleted_at),
            te::updated_at.eq(Utc::now()),
        ))
        .returning(TimeEntry::as_returning())
        .get_result(conn)
        .await?)
}

fn filtered<'a>(
    f: &EntryFilter,
    visible: &MatterFilter,
    me: Option<Uuid>,
) -> te::BoxedQuery<'a, Pg> {
    let mut query = te::table.filter(te::deleted_at.is_null()).into_boxed();
    query = match me {
        Some(me) => query.filter(visible.predicate(te::matter_id).or(te::user_id.eq(me))),
        None => query.filter(visible.predicate(te::matter_id)),
    };
    if let Some(user) = f.user_id {
        query = query.filter(te::user_id.eq(user));
    }
    if let Some(matter) = f.matter_id {
        query = query.filter(te::matter_id.eq(matter));
    }
    if let Some(statuses) = &f.statuses {
        query = query.filter(te::status.eq_any(statuses.clone()));
    }
    if let Some(from) = f.from {
        query = query.filter(te::work_date.ge(from));
    }
    if let Some(to) = f.to {
        query = query.filter(te::work_date.le(to));
    }
    query
}

/// One page (`limit + 1` rows), newest work date first, after the cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &EntryFilter,
    visible: &MatterFilter,
    me: Option<Uuid>,
) -> Result<Vec<TimeEntry>, ApiError> {
    let mut query = filtered(f, visible, me);
    if let Some(p) = &f.after {
        query = query.filter(
            te::work_date
                .lt(p.date)
                .or(te::work_date.eq(p.date).and(te::id.lt(p.id))),
        );
    }
    Ok(query
        .order((te::work_date.desc(), te::id.desc()))
        .limit(f.limit + 1)
        .select(TimeEntry::as_select())
        .load(conn)
        .await?)
}

pub async fn count(
    conn: &mut AsyncPgConnection,
    f: &EntryFilter,
    visible: &MatterFilter,
    me: Option<Uuid>,
) -> Result<i64, ApiError> {
    Ok(filtered(f, visible, me).count().get_result(conn).await?)
}

/// The matter's approved, unreserved, billable entries of `currency` (all
/// currencies when none) worked in the period, locked, oldest first.
pub async fn billable(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Result<Vec<TimeEntry>, ApiError> {
    Ok(te::table
        .filter(te::deleted_at.is_null())
        .filter(te::matter_id.eq(matter))
        .filter(te::status.eq("APPROVED"))
        .filter(te::invoice_id.is_null())
        .filter(te::is_billable.eq(true))
        .filter(te::work_date.between(start, end))
        .order((te::work_date.asc(), te::id.asc()))
        .select(TimeEntry::as_select())
        .for_update()
        .load(conn)
        .await?)
}

/// Reserves entries for a draft invoice (or releases them with `None`).
pub async fn set_invoice(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    invoice: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(te::table.filter(te::id.eq_any(ids)))
        .set((te::invoice_id.eq(invoice), te::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves every entry of `invoice` from `from` to `to` (issue: APPROVED →
/// INVOICED; void: INVOICED → APPROVED, released when `release`).
pub async fn move_invoiced(
    conn: &mut AsyncPgConnection,
    invoice: Uuid,
    from: &str,
    to: &str,
    release: bool,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let target = te::table
        .filter(te::invoice_id.eq(invoice))
        .filter(te::status.eq(from));
    let n = if release {
        diesel::update(target)
            .set((
                te::status.eq(to),
                te::invoice_id.eq(None::<Uuid>),
                te::updated_at.eq(now),
            ))
            .execute(conn)
            .await?
    } else {
        diesel::update(target)
            .set((te::status.eq(to), te::updated_at.eq(now)))
            .execute(conn)
            .await?
    };
    Ok(n)
}
