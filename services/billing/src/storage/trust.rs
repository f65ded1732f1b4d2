//! The trust ledger: accounts, append-only entries (the kept balances move in
//! the inserting transaction, by trigger), balances and the sums a
//! reconciliation compares.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::TimePosition;
use crate::model::trust::KeptBalance;
use crate::model::{Reconciliation, TrustAccount, TrustEntry};
use crate::schema::{
    trust_accounts as ta, trust_balances as tb, trust_ledger_entries as tl,
    trust_reconciliations as tr,
};

pub async fn insert_account(
    conn: &mut AsyncPgConnection,
    a: TrustAccount,
) -> Result<TrustAccount, ApiError> {
    Ok(diesel::insert_into(ta::table)
        .values(a)
        .returning(TrustAccount::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn accounts(conn: &mut AsyncPgConnection) -> Result<Vec<TrustAccount>, ApiError> {
    Ok(ta::table
        .filter(ta::archived_at.is_null())
        .order((ta::created_at.asc(), ta::id.asc()))
        .select(TrustAccount::as_select())
        .load(conn)
        .await?)
}

pub async fn account(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<TrustAccount>, ApiError> {
    Ok(ta::table
        .find(id)
        .filter(ta::archived_at.is_null())
        .select(TrustAccount::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Appends one ledger row; an overdraft is 409 `TRUST_FUNDS_INSUFFICIENT` (the
/// kept balance's CHECK, evaluated under its row lock).
pub async fn append(conn: &mut AsyncPgConnection, e: TrustEntry) -> Result<TrustEntry, ApiError> {
    diesel::insert_into(tl::table)
        .values(e)
        .returning(TrustEntry::as_returning())
        .get_result(conn)
        .await
        .map_err(super::trust_error)
}

pub async fn entries(
    conn: &mut AsyncPgConnection,
    client: Option<Uuid>,
    account: Option<Uuid>,
    after: Option<TimePosition>,
    limit: i64,
) -> Result<Vec<TrustEntry>, ApiError> {
    let mut q = tl::table.into_boxed();
    if let Some(c) = client {
        q = q.filter(tl::client_id.eq(c));
    }
    if let Some(a) = account {
        q = q.filter(tl::account_id.eq(a));
    }
    if let Some(p) = after {
        q = q.filter(
            tl::created_at
                .lt(p.at)
                .or(tl::created_at.eq(p.at).and(tl::id.lt(p.id))),
        );
    }
    Ok(q.order((tl::created_at.desc(), tl::id.desc()))
        .limit(limit + 1)
        .select(TrustEntry::as_select())
        .load(conn)
        .await?)
}

/// The kept balances (all, or one client's).
pub async fn kept(
    conn: &mut AsyncPgConnection,
    client: Option<Uuid>,
) -> Result<Vec<KeptBalance>, ApiError> {
    let mut q = tb::table.into_boxed();
    if let Some(c) = client {
        q = q.filter(tb::client_id.eq(c));
    }
    Ok(q.order((tb::client_id.asc(), tb::matter_key.asc()))
        .select(KeptBalance::as_select())
        .load(conn)
        .await?)
}

#[derive(QueryableByName)]
struct Sums {
    #[diesel(sql_type = BigInt)]
    opening: i64,
    #[diesel(sql_type = BigInt)]
    deposits: i64,
    #[diesel(sql_type = BigInt)]
    withdrawals: i64,
    #[diesel(sql_type = BigInt)]
    closing: i64,
}

/// The account's ledger: before the period, money in and out during it, at its end.
pub async fn period_sums(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<(i64, i64, i64, i64), ApiError> {
    let s: Sums = diesel::sql_query(
        "select coalesce(sum(amount_minor) filter (where entry_date < $2), 0)::int8 as opening, \
                coalesce(sum(amount_minor) filter (where entry_date between $2 and $3 and amount_minor > 0), 0)::int8 as deposits, \
                coalesce(-sum(amount_minor) filter (where entry_date between $2 and $3 and amount_minor < 0), 0)::int8 as withdrawals, \
                coalesce(sum(amount_minor) filter (where entry_date <= $3), 0)::int8 as closing \
         from billing.trust_ledger_entries where account_id = $1",
    )
    .bind::<SqlUuid, _>(account)
    .bind::<Date, _>(start)
    .bind::<Date, _>(end)
    .get_result(conn)
    .await?;
    Ok((s.opening, s.deposits, s.withdrawals, s.closing))
}

#[derive(QueryableByName, Debug, Clone)]
pub struct ClientLedger {
    #[diesel(sql_type = SqlUuid)]
    pub client_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub matter_id: Option<Uuid>,
    #[diesel(sql_type = BigInt)]
    pub balance_minor: i64,
}

/// Each client's (and matter's) ledger in the account at `end`.
pub async fn client_ledgers(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    end: NaiveDate,
) -> Result<Vec<ClientLedger>, ApiError> {
    Ok(diesel::sql_query(
        "select client_id, matter_id, sum(amount_minor)::int8 as balance_minor \
         from billing.trust_ledger_entries where account_id = $1 and entry_date <= $2 \
         group by client_id, matter_id having sum(amount_minor) <> 0 order by client_id, matter_id",
    )
    .bind::<SqlUuid, _>(account)
    .bind::<Date, _>(end)
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The sum of the kept balances of the account.
pub async fn kept_total(conn: &mut AsyncPgConnection, account: Uuid) -> Result<i64, ApiError> {
    let t: Total = diesel::sql_query(
        "select coalesce(sum(balance_minor), 0)::int8 as n from billing.trust_balances where account_id = $1",
    )
    .bind::<SqlUuid, _>(account)
    .get_result(conn)
    .await?;
    Ok(t.n)
}

pub async fn insert_reconciliation(
    conn: &mut AsyncPgConnection,
    r: Reconciliation,
) -> Result<Reconciliation, ApiError> {
    Ok(diesel::insert_into(tr::table)
        .values(r)
        .returning(Reconciliation::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn reconciliations(
    conn: &mut AsyncPgConnection,
    account: Option<Uuid>,
) -> Result<Vec<Reconciliation>, ApiError> {
    let mut q = tr::table.into_boxed();
    if let Some(a) = account {
        q = q.filter(tr::account_id.eq(a));
    }
    Ok(q.order((tr::created_at.desc(), tr::id.desc()))
        .limit(100)
        .select(Reconciliation::as_select())
        .load(conn)
        .await?)
}

pub async fn reconciliation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Reconciliation>, ApiError> {
    Ok(tr::table
        .find(id)
        .select(Reconciliation::as_select())
        .first(conn)
        .await
        .optional()?)
}
