//! Payments, allocations and payment events (append-only), and what a payment
//! left unapplied (view `payment_balances`).

use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::TimePosition;
use crate::model::{Allocation, Payment, PaymentEvent, PaymentView};
use crate::schema::{
    payment_allocations as pa, payment_balances as pb, payment_events as pe, payments as pm,
};

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found("Payment", id)
}

pub async fn insert(conn: &mut AsyncPgConnection, p: Payment) -> Result<Payment, ApiError> {
    Ok(diesel::insert_into(pm::table)
        .values(p)
        .returning(Payment::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn insert_allocation(
    conn: &mut AsyncPgConnection,
    a: Allocation,
) -> Result<(), ApiError> {
    diesel::insert_into(pa::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_event(conn: &mut AsyncPgConnection, e: PaymentEvent) -> Result<(), ApiError> {
    diesel::insert_into(pe::table)
        .values(e)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Payment>, ApiError> {
    Ok(pm::table
        .find(id)
        .select(Payment::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// [`find`] under a transaction-scoped advisory lock on the payment (its rows
/// are never updated, so no row lock is taken): concurrent allocations,
/// refunds and reversals of one payment queue.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Payment>, ApiError> {
    diesel::sql_query(
        "select pg_advisory_xact_lock(hashtextextended('billing.payment:' || $1::text, 0))",
    )
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    find(conn, id).await
}

/// (allocated, returned, unapplied, reversed) of a PAYMENT row.
pub async fn balance(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<(i64, i64, i64, bool), ApiError> {
    Ok(pb::table
        .find(id)
        .select((
            pb::allocated_minor,
            pb::returned_minor,
            pb::unapplied_minor,
            pb::reversed,
        ))
        .first(conn)
        .await
        .optional()?
        .unwrap_or((0, 0, 0, false)))
}

/// What the payment has on `invoice` now (allocated less deallocated).
pub async fn allocated_on(
    conn: &mut AsyncPgConnection,
    payment: Uuid,
    invoice: Uuid,
) -> Result<i64, ApiError> {
    let rows: Vec<(String, i64)> = pa::table
        .filter(pa::payment_id.eq(payment))
        .filter(pa::invoice_id.eq(invoice))
        .select((pa::kind, pa::amount_minor))
        .load(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|(k, a)| if k == "ALLOCATION" { *a } else { -*a })
        .sum())
}

pub async fn allocations(
    conn: &mut AsyncPgConnection,
    payment: Uuid,
) -> Result<Vec<Allocation>, ApiError> {
    Ok(pa::table
        .filter(pa::payment_id.eq(payment))
        .order((pa::created_at.asc(), pa::id.asc()))
        .select(Allocation::as_select())
        .load(conn)
        .await?)
}

pub async fn view(conn: &mut AsyncPgConnection, payment: Payment) -> Result<PaymentView, ApiError> {
    let (allocated, returned, unapplied, reversed) = if payment.kind == "PAYMENT" {
        balance(conn, payment.id).await?
    } else {
        (0, 0, 0, false)
    };
    let allocations = allocations(conn, payment.id).await?;
    let events = pe::table
        .filter(pe::payment_id.eq(payment.id))
        .order((pe::created_at.asc(), pe::id.asc()))
        .select(PaymentEvent::as_select())
        .load(conn)
        .await?;
    Ok(PaymentView {
        payment,
        allocated_minor: allocated,
        returned_minor: returned,
        unapplied_minor: unapplied,
        reversed,
        allocations,
        events,
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    client: Option<Uuid>,
    after: Option<TimePosition>,
    limit: i64,
) -> Result<Vec<Payment>, ApiError> {
    let mut q = pm::table.into_boxed();
    if let Some(c) = client {
        q = q.filter(pm::client_id.eq(c));
    }
    if let Some(p) = after {
        q = q.filter(
            pm::created_at
                .lt(p.at)
                .or(pm::created_at.eq(p.at).and(pm::id.lt(p.id))),
        );
    }
    Ok(q.order((pm::created_at.desc(), pm::id.desc()))
        .limit(limit + 1)
        .select(Payment::as_select())
        .load(conn)
        .await?)
}
