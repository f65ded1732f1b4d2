//! The reports, computed in SQL: work in progress (approved, not yet invoiced,
//! billable time and expenses) and aged receivables (issued invoices' balances
//! as of a day, by days since the invoice date: 0–30, 31–60, 61–90, 90+), per
//! matter and currency, within the matters the caller reaches.

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

/// The matter predicate as SQL on `column` with the array as `$n`.
fn reach(column: &str, filter: &MatterFilter, n: usize) -> (String, Vec<Uuid>) {
    match filter {
        MatterFilter::AllExcept(ids) => (format!("{column} <> all(${n})"), ids.clone()),
        MatterFilter::Only(ids) => (format!("{column} = any(${n})"), ids.clone()),
    }
}

#[derive(Debug, Clone, QueryableByName, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WipRow {
    #[diesel(sql_type = SqlUuid)]
    pub matter_id: Uuid,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub time_entries: i64,
    #[diesel(sql_type = BigInt)]
    pub minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub time_amount_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub expenses: i64,
    #[diesel(sql_type = BigInt)]
    pub expense_amount_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub total_minor: i64,
}

pub async fn wip(
    conn: &mut AsyncPgConnection,
    visible: &MatterFilter,
    matter: Option<Uuid>,
) -> Result<Vec<WipRow>, ApiError> {
    let (pred, ids) = reach("matter_id", visible, 1);
    let sql = format!(
        "with work as ( \
            select matter_id, currency, 1 as entries, duration_minutes::int8 as minutes, total_amount_minor as time_amount, \
                   0 as expenses, 0::int8 as expense_amount \
            from billing.time_entries \
            where status = 'APPROVED' and invoice_id is null and is_billable and deleted_at is null \
          union all \
            select matter_id, currency, 0, 0, 0, 1, amount_minor \
            from billing.expenses \
            where status = 'APPROVED' and invoice_id is null and is_billable and deleted_at is null) \
         select matter_id, currency, sum(entries)::int8 as time_entries, sum(minutes)::int8 as minutes, \
                sum(time_amount)::int8 as time_amount_minor, sum(expenses)::int8 as expenses, \
                sum(expense_amount)::int8 as expense_amount_minor, \
                (sum(time_amount) + sum(expense_amount))::int8 as total_minor \
         from work where {pred} and ($2::uuid is null or matter_id = $2) \
         group by matter_id, currency order by matter_id, currency"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Nullable<SqlUuid>, _>(matter)
        .load(conn)
        .await?)
}

#[derive(Debug, Clone, QueryableByName, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgedRow {
    #[diesel(sql_type = SqlUuid)]
    pub matter_id: Uuid,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
    #[diesel(sql_type = BigInt)]
    #[serde(rename = "days0To30Minor")]
    pub days_0_30_minor: i64,
    #[diesel(sql_type = BigInt)]
    #[serde(rename = "days31To60Minor")]
    pub days_31_60_minor: i64,
    #[diesel(sql_type = BigInt)]
    #[serde(rename = "days61To90Minor")]
    pub days_61_90_minor: i64,
    #[diesel(sql_type = BigInt)]
    #[serde(rename = "daysOver90Minor")]
    pub days_over_90_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub total_minor: i64,
}

pub async fn aged(
    conn: &mut AsyncPgConnection,
    visible: &MatterFilter,
    matter: Option<Uuid>,
    as_of: NaiveDate,
) -> Result<Vec<AgedRow>, ApiError> {
    let (pred, ids) = reach("i.matter_id", visible, 1);
    let sql = format!(
        "with open as ( \
            select i.matter_id, i.currency, ($3::date - i.issue_date) as age, \
                   (select coalesce(sum(l.amount_minor), 0) from billing.invoice_line_items l where l.invoice_id = i.id) \
                 - (select coalesce(sum(c.amount_minor), 0) from billing.credit_notes c \
                     where c.invoice_id = i.id and c.created_at::date <= $3) \
                 - (select coalesce(sum(case a.kind when 'ALLOCATION' then a.amount_minor else -a.amount_minor end), 0) \
                      from billing.payment_allocations a where a.invoice_id = i.id and a.created_at::date <= $3) \
                   as balance \
            from billing.invoices i \
            where i.status = 'ISSUED' and i.deleted_at is null and i.issue_date <= $3 \
              and {pred} and ($2::uuid is null or i.matter_id = $2)) \
         select matter_id, currency, count(*)::int8 as invoices, \
                coalesce(sum(balance) filter (where age <= 30), 0)::int8 as days_0_30_minor, \
                coalesce(sum(balance) filter (where age between 31 and 60), 0)::int8 as days_31_60_minor, \
                coalesce(sum(balance) filter (where age between 61 and 90), 0)::int8 as days_61_90_minor, \
                coalesce(sum(balance) filter (where age > 90), 0)::int8 as days_over_90_minor, \
                sum(balance)::int8 as total_minor \
         from open where balance > 0 group by matter_id, currency order by matter_id, currency"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Nullable<SqlUuid>, _>(matter)
        .bind::<Date, _>(as_of)
        .load(conn)
        .await?)
}
