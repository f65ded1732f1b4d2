//! Invoices and their line items; balances and statuses read from the
//! `invoice_balances` view (derived from line items, credit notes and allocations).

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::InvoiceFilter;
use crate::model::invoice::Balance;
use crate::model::{Invoice, InvoiceView, LineItem};
use crate::schema::{invoice_balances as ib, invoice_line_items as li, invoices as inv};

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Invoice", id)
}

pub async fn insert(conn: &mut AsyncPgConnection, invoice: Invoice) -> Result<Invoice, ApiError> {
    Ok(diesel::insert_into(inv::table)
        .values(invoice)
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn insert_lines(
    conn: &mut AsyncPgConnection,
    lines: Vec<LineItem>,
) -> Result<(), ApiError> {
    // 500 lines × 15 columns stays far below PostgreSQL's bind-parameter limit.
    for chunk in lines.chunks(2000) {
        diesel::insert_into(li::table)
            .values(chunk.to_vec())
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Invoice>, ApiError> {
    Ok(inv::table
        .find(id)
        .filter(inv::deleted_at.is_null())
        .select(Invoice::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`], locking the row: every change to an invoice's lines, payments and
/// credit notes takes this lock first, so balances are checked race-free.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Invoice>, ApiError> {
    Ok(inv::table
        .find(id)
        .filter(inv::deleted_at.is_null())
        .select(Invoice::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Writes back the invoice's mutable columns (notes, lifecycle).
pub async fn save(conn: &mut AsyncPgConnection, i: &Invoice) -> Result<Invoice, ApiError> {
    Ok(diesel::update(inv::table.find(i.id))
        .set((
            inv::invoice_number.eq(&i.invoice_number),
            inv::status.eq(&i.status),
            inv::notes.eq(&i.notes),
            inv::issue_date.eq(i.issue_date),
            inv::due_date.eq(i.due_date),
            inv::issued_at.eq(i.issued_at),
            inv::issued_by.eq(i.issued_by),
            inv::voided_at.eq(i.voided_at),
            inv::voided_by.eq(i.voided_by),
            inv::void_reason.eq(&i.void_reason),
            inv::deleted_at.eq(i.deleted_at),
            inv::updated_at.eq(Utc::now()),
        ))
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn lines(conn: &mut AsyncPgConnection, invoice: Uuid) -> Result<Vec<LineItem>, ApiError> {
    Ok(li::table
        .filter(li::invoice_id.eq(invoice))
        .order((li::position.asc(), li::id.asc()))
        .select(LineItem::as_select())
        .load(conn)
        .await?)
}

pub async fn delete_line(
    conn: &mut AsyncPgConnection,
    invoice: Uuid,
    line: Uuid,
) -> Result<Option<LineItem>, ApiError> {
    Ok(diesel::delete(
        li::table
            .filter(li::invoice_id.eq(invoice))
            .filter(li::id.eq(line)),
    )
    .returning(LineItem::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn next_position(conn: &mut AsyncPgConnection, invoice: Uuid) -> Result<i32, ApiError> {
    let max: Option<i32> = li::table
        .filter(li::invoice_id.eq(invoice))
        .select(diesel::dsl::max(li::position))
        .first(conn)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// The derived amounts and status of `ids`.
pub async fn balances(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (String, Balance)>, ApiError> {
    let rows: Vec<(Uuid, String, Balance)> = ib::table
        .filter(ib::invoice_id.eq_any(ids))
        .select((ib::invoice_id, ib::status, Balance::as_select()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, s, b)| (id, (s, b))).collect())
}

pub async fn balance(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<(String, Balance), ApiError> {
    balances(conn, &[id])
        .await?
        .remove(&id)
        .ok_or_else(|| not_found(id))
}

/// The invoice as answered: data, derived amounts and status, line items.
pub async fn view(conn: &mut AsyncPgConnection, invoice: Invoice) -> Result<InvoiceView, ApiError> {
    let (status, balance) = balance(conn, invoice.id).await?;
    let lines = lines(conn, invoice.id).await?;
    Ok(InvoiceView::new(invoice, status, balance, lines))
}

/// One page of invoices (`limit + 1`), newest first, with their derived amounts.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &InvoiceFilter,
    visible: &MatterFilter,
) -> Result<(Vec<InvoiceView>, i64), ApiError> {
    let filtered = || {
        let mut q = inv::table
            .filter(inv::deleted_at.is_null())
            .filter(visible.predicate(inv::matter_id))
            .into_boxed();
        if let Some(m) = f.matter_id {
            q = q.filter(inv::matter_id.eq(m));
        }
        if let Some(c) = f.client_id {
            q = q.filter(inv::client_id.eq(c));
        }
        if let Some(statuses) = &f.statuses {
            let ids = ib::table
                .filter(ib::status.eq_any(statuses.clone()))
                .select(ib::invoice_id);
            q = q.filter(inv::id.eq_any(ids));
        }
        q
    };
    let mut q = filtered();
    if let Some(p) = &f.after {
        q = q.filter(
            inv::created_at
                .lt(p.at)
                .or(inv::created_at.eq(p.at).and(inv::id.lt(p.id))),
        );
    }
    let rows: Vec<Invoice> = q
        .order((inv::created_at.desc(), inv::id.desc()))
        .limit(f.limit + 1)
        .select(Invoice::as_select())
        .load(conn)
        .await?;
    let total: i64 = filtered().count().get_result(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|i| i.id).collect();
    let mut amounts = balances(conn, &ids).await?;
    let views = rows
        .into_iter()
        .filter_map(|i| {
            amounts
                .remove(&i.id)
                .map(|(s, b)| InvoiceView::new(i, s, b, Vec::new()))
        })
        .collect();
    Ok((views, total))
}
