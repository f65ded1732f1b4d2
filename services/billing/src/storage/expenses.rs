//! Expenses: insert, find, lock, change, list (decided in SQL).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::EntryFilter;
use crate::model::Expense;
use crate::schema::expenses as ex;

pub async fn insert(conn: &mut AsyncPgConnection, e: Expense) -> Result<Expense, ApiError> {
    Ok(diesel::insert_into(ex::table)
        .values(e)
        .returning(Expense::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Expense>, ApiError> {
    Ok(ex::table
        .find(id)
        .filter(ex::deleted_at.is_null())
        .select(Expense::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Expense>, ApiError> {
    Ok(ex::table
        .find(id)
        .filter(ex::deleted_at.is_null())
        .select(Expense::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn save(conn: &mut AsyncPgConnection, e: &Expense) -> Result<Expense, ApiError> {
    Ok(diesel::update(ex::table.find(e.id))
        .set((
            ex::category.eq(&e.category),
            ex::description.eq(&e.description),
            ex::amount_minor.eq(e.amount_minor),
            ex::incurred_on.eq(e.incurred_on),
            ex::receipt_document_id.eq(e.receipt_document_id),
            ex::is_billable.eq(e.is_billable),
            ex::status.eq(&e.status),
            ex::submitted_at.eq(e.submitted_at),
            ex::approved_by.eq(e.approved_by),
            ex::approved_at.eq(e.approved_at),
            ex::rejected_by.eq(e.rejected_by),
            ex::rejected_at.eq(e.rejected_at),
            ex::rejection_reason.eq(&e.rejection_reason),
            ex::deleted_at.eq(e.deleted_at),
            ex::updated_at.eq(Utc::now()),
        ))
        .returning(Expense::as_returning())
        .get_result(conn)
        .await?)
}

fn filtered<'a>(
    f: &EntryFilter,
    visible: &MatterFilter,
    me: Option<Uuid>,
) -> ex::BoxedQuery<'a, Pg> {
    let mut query = ex::table.filter(ex::deleted_at.is_null()).into_boxed();
    query = match me {
        Some(me) => query.filter(visible.predicate(ex::matter_id).or(ex::user_id.eq(me))),
        None => query.filter(visible.predicate(ex::matter_id)),
    };
    if let Some(user) = f.user_id {
        query = query.filter(ex::user_id.eq(user));
    }
    if let Some(matter) = f.matter_id {
        query = query.filter(ex::matter_id.eq(matter));
    }
    if let Some(statuses) = &f.statuses {
        query = query.filter(ex::status.eq_any(statuses.clone()));
    }
    if let Some(from) = f.from {
        query = query.filter(ex::incurred_on.ge(from));
    }
    if let Some(to) = f.to {
        query = query.filter(ex::incurred_on.le(to));
    }
    query
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &EntryFilter,
    visible: &MatterFilter,
    me: Option<Uuid>,
) -> Result<(Vec<Expense>, i64), ApiError> {
    let mut query = filtered(f, visible, me);
    if let Some(p) = &f.after {
        query = query.filter(
            ex::incurred_on
                .lt(p.date)
                .or(ex::incurred_on.eq(p.date).and(ex::id.lt(p.id))),
        );
    }
    let rows = query
        .order((ex::incurred_on.desc(), ex::id.desc()))
        .limit(f.limit + 1)
        .select(Expense::as_select())
        .load(conn)
        .await?;
    let total = filtered(f, visible, me).count().get_result(conn).await?;
    Ok((rows, total))
}

pub async fn billable(
    conn: &mut AsyncPgConnection,
    matter: Uuid,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Result<Vec<Expense>, ApiError> {
    Ok(ex::table
        .filter(ex::deleted_at.is_null())
        .filter(ex::matter_id.eq(matter))
        .filter(ex::status.eq("APPROVED"))
        .filter(ex::invoice_id.is_null())
        .filter(ex::is_billable.eq(true))
        .filter(ex::incurred_on.between(start, end))
        .order((ex::incurred_on.asc(), ex::id.asc()))
        .select(Expense::as_select())
        .for_update()
        .load(conn)
        .await?)
}

pub async fn set_invoice(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    invoice: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(ex::table.filter(ex::id.eq_any(ids)))
        .set((ex::invoice_id.eq(invoice), ex::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn move_invoiced(
    conn: &mut AsyncPgConnection,
    invoice: Uuid,
    from: &str,
    to: &str,
    release: bool,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let target = ex::table
        .filter(ex::invoice_id.eq(invoice))
        .filter(ex::status.eq(from));
    let n = if release {
        diesel::update(target)
            .set((
                ex::status.eq(to),
                ex::invoice_id.eq(None::<Uuid>),
                ex::updated_at.eq(now),
            ))
            .execute(conn)
            .await?
    } else {
        diesel::update(target)
            .set((ex::status.eq(to), ex::updated_at.eq(now)))
            .execute(conn)
            .await?
    };
    Ok(n)
}
