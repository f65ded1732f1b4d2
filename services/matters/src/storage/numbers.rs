//! Gap-free matter numbers per firm and year (`2026-00123`).
//!
//! The upsert bumps the firm's row for the year and so holds its lock until the
//! creating transaction ends: concurrent creations queue on it, and a creation
//! that rolls back gives its number back with its increment.

use diesel::sql_types::{Int4, Int8, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

#[derive(diesel::QueryableByName)]
struct Next {
    #[diesel(sql_type = Int8)]
    last_value: i64,
}

/// The next number of `firm` in `year`, formatted.
pub async fn next_matter_number(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    year: i32,
) -> Result<String, ApiError> {
    let next: Next = diesel::sql_query(
        "insert into matters.matter_number_sequences (firm_id, year, last_value) \
         values ($1, $2, 1) \
         on conflict (firm_id, year) \
         do update set last_value = matter_number_sequences.last_value + 1 \
         returning last_value",
    )
    .bind::<SqlUuid, _>(firm)
    .bind::<Int4, _>(year)
    .get_result(conn)
    .await?;
    Ok(format_number(year, next.last_value))
}

pub fn format_number(year: i32, n: i64) -> String {
    format!("{year}-{n:05}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_zero_padded_to_five() {
        assert_eq!(super::format_number(2026, 123), "2026-00123");
        assert_eq!(super::format_number(2026, 123_456), "2026-123456");
    }
}
