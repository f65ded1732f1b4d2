//! Request bodies and query parameters, validated field by field so a client
//! learns every problem at once (one 422 naming each bad field).

pub mod expenses;
pub mod invoices;
pub mod lists;
pub mod payments;
pub mod rates;
pub mod time;
pub mod trust;

use chrono::NaiveDate;
use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;
use serde::{Deserialize, Deserializer};

use crate::money::is_currency;

pub const DESCRIPTION_MAX: usize = 4000;
pub const REASON_MAX: usize = 2000;
pub const REFERENCE_MAX: usize = 200;
/// The largest amount accepted in one request (10^15 minor units).
pub const AMOUNT_MAX: i64 = 1_000_000_000_000_000;

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

pub fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An optional text of at most `max` characters.
pub fn optional_text(errors: &mut FieldErrors, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value
        && v.trim().chars().count() > max
    {
        errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("must be at most {max} characters"),
        );
    }
}

/// A required ISO 4217 code.
pub fn currency(errors: &mut FieldErrors, field: &str, value: Option<&str>) {
    match value {
        None | Some("") => errors.missing(field),
        Some(c) if !is_currency(c) => errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be an ISO 4217 code (three capital letters)",
        ),
        Some(_) => {}
    }
}

/// A required amount in minor units, `min..=AMOUNT_MAX`.
pub fn amount(errors: &mut FieldErrors, field: &str, value: Option<i64>, min: i64) {
    match value {
        None => errors.missing(field),
        Some(v) if v < min || v > AMOUNT_MAX => errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            format!("must be between {min} and {AMOUNT_MAX} minor units"),
        ),
        Some(_) => {}
    }
}

/// A required date.
pub fn date(errors: &mut FieldErrors, field: &str, value: Option<NaiveDate>) {
    if value.is_none() {
        errors.missing(field);
    }
}

/// An activity code's shape (whether the firm knows it is checked in storage).
pub fn activity_code_shape(errors: &mut FieldErrors, field: &str, value: Option<&str>) {
    match value {
        None | Some("") => errors.missing(field),
        Some(c) if !is_code(c) => errors.add(
            field,
            ErrorCode::InvalidFieldFormat,
            "must be 2–40 capital letters, digits or _ and start with a letter",
        ),
        Some(_) => {}
    }
}

pub fn is_code(c: &str) -> bool {
    let len = c.chars().count();
    (2..=40).contains(&len)
        && c.starts_with(|ch: char| ch.is_ascii_uppercase())
        && c.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
}
