//! Queries of the billing schema. Each takes a connection already inside a
//! tenant transaction, so row-level security decides which firm it sees.

pub mod entries;
pub mod expenses;
pub mod invoices;
pub mod numbers;
pub mod payments;
pub mod rates;
pub mod reports;
pub mod timers;
pub mod trust;

use diesel::result::{DatabaseErrorKind, Error};
use lawos_core::{ApiError, ErrorCode};

/// Whether a database error is the trust balance's CHECK (an overdraft).
pub fn is_overdraft(err: &Error) -> bool {
    matches!(err, Error::DatabaseError(DatabaseErrorKind::CheckViolation, info)
        if info.constraint_name() == Some("trust_balances_non_negative"))
}

/// A database error, with the trust overdraft as 409 `TRUST_FUNDS_INSUFFICIENT`.
pub fn trust_error(err: Error) -> ApiError {
    if is_overdraft(&err) {
        return ApiError::new(
            ErrorCode::TrustFundsInsufficient,
            "The client's trust balance does not cover this amount",
        );
    }
    err.into()
}
