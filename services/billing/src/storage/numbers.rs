//! Gap-free document numbers per firm, kind and year (`INV-2026-00001`,
//! `CN-2026-00001`).
//!
//! The upsert bumps the firm's row for the kind and year and so holds its lock
//! until the issuing transaction ends: concurrent issues queue on it, and an
//! issue that rolls back gives its number back with its increment.

use diesel::sql_types::{Int4, Int8, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_core::ApiError;
use uuid::Uuid;

#[derive(diesel::QueryableByName)]
struct Next {
    #[diesel(sql_type = Int8)]
    last_value: i64,
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Invoice,
    CreditNote,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Invoice => "INVOICE",
            Self::CreditNote => "CREDIT_NOTE",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Invoice => "INV",
            Self::CreditNote => "CN",
        }
    }
}

/// The next number of `kind` for `firm` in `year`, formatted.
pub async fn next(
    conn: &mut AsyncPgConnection,
    firm: Uuid,
    kind: Kind,
    year: i32,
) -> Result<String, ApiError> {
    let next: Next = diesel::sql_query(
        "insert into billing.document_numbers (firm_id, kind, year, last_value) \
         values ($1, $2, $3, 1) \
         on conflict (firm_id, kind, year) \
         do update set last_value = document_numbers.last_value + 1 \
         returning last_value",
    )
    .bind::<SqlUuid, _>(firm)
    .bind::<Text, _>(kind.name())
    .bind::<Int4, _>(year)
    .get_result(conn)
    .await?;
    Ok(format(kind, year, next.last_value))
}

pub fn format(kind: Kind, year: i32, n: i64) -> String {
    format!("{}-{year}-{n:05}", kind.prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_prefixed_and_zero_padded() {
        assert_eq!(format(Kind::Invoice, 2026, 1), "INV-2026-00001");
        assert_eq!(format(Kind::CreditNote, 2026, 123_456), "CN-2026-123456");
    }
}
