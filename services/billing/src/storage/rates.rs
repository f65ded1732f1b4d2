//! Billing rates and activity codes.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::lists::TimePosition;
use crate::model::time::BUILTIN_ACTIVITY_CODES;
use crate::model::{ActivityCode, Rate};
use crate::schema::{activity_codes, billing_rates};

pub async fn insert(conn: &mut AsyncPgConnection, rate: Rate) -> Result<Rate, ApiError> {
    Ok(diesel::insert_into(billing_rates::table)
        .values(rate)
        .returning(Rate::as_returning())
        .get_result(conn)
        .await?)
}

/// The rate in force for `user` on `matter` for `activity` on `date`: the most
/// specific row (matter + activity, matter, activity, the user's own), then
/// the latest effective date, then the latest written.
pub async fn in_force(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    matter: Uuid,
    activity: &str,
    date: NaiveDate,
) -> Result<Option<Rate>, ApiError> {
    let candidates: Vec<Rate> = billing_rates::table
        .filter(billing_rates::user_id.eq(user))
        .filter(billing_rates::effective_from.le(date))
        .filter(
            billing_rates::matter_id
                .is_null()
                .or(billing_rates::matter_id.eq(matter)),
        )
        .filter(
            billing_rates::activity_code
                .is_null()
                .or(billing_rates::activity_code.eq(activity)),
        )
        .select(Rate::as_select())
        .load(conn)
        .await?;
    Ok(candidates.into_iter().max_by_key(|r| {
        (
            u8::from(r.matter_id.is_some()) * 2 + u8::from(r.activity_code.is_some()),
            r.effective_from,
            r.created_at,
            r.id,
        )
    }))
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    user: Option<Uuid>,
    after: Option<TimePosition>,
    limit: i64,
) -> Result<Vec<Rate>, ApiError> {
    let mut query = billing_rates::table.into_boxed();
    if let Some(user) = user {
        query = query.filter(billing_rates::user_id.eq(user));
    }
    if let Some(p) = after {
        query = query.filter(
            billing_rates::created_at
                .lt(p.at)
                .or(billing_rates::created_at
                    .eq(p.at)
                    .and(billing_rates::id.lt(p.id))),
        );
    }
    Ok(query
        .order((billing_rates::created_at.desc(), billing_rates::id.desc()))
        .limit(limit + 1)
        .select(Rate::as_select())
        .load(conn)
        .await?)
}

/// Whether `code` is a built-in code or one of the firm's own, not archived.
pub async fn code_exists(conn: &mut AsyncPgConnection, code: &str) -> Result<bool, ApiError> {
    if BUILTIN_ACTIVITY_CODES.iter().any(|(c, _)| *c == code) {
        return Ok(true);
    }
    let n: i64 = activity_codes::table
        .filter(activity_codes::code.eq(code))
        .filter(activity_codes::archived_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

pub async fn insert_code(
    conn: &mut AsyncPgConnection,
    code: ActivityCode,
) -> Result<ActivityCode, ApiError> {
    Ok(diesel::insert_into(activity_codes::table)
        .values(code)
        .returning(ActivityCode::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn firm_codes(conn: &mut AsyncPgConnection) -> Result<Vec<ActivityCode>, ApiError> {
    Ok(activity_codes::table
        .filter(activity_codes::archived_at.is_null())
        .order(activity_codes::code.asc())
        .select(ActivityCode::as_select())
        .load(conn)
        .await?)
}

/// 422 naming `field` unless the firm knows `code`.
pub async fn require_code(
    conn: &mut AsyncPgConnection,
    code: &str,
    field: &str,
) -> Result<(), ApiError> {
    if code_exists(conn, code).await? {
        return Ok(());
    }
    Err(lawos_core::validation::FieldErrors::single(
        field,
        lawos_core::ErrorCode::InvalidEnumValue,
        format!("{code} is neither a built-in activity code nor one of the firm's"),
    )
    .into())
}
