//! Request bodies and query parameters, validated field by field so a client
//! learns every problem at once (422 naming each field).

pub mod appointment;
pub mod list;
pub mod records;
pub mod task;

use chrono_tz::Tz;
use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;
use serde::{Deserialize, Deserializer};

pub const TITLE_MAX: usize = 300;
pub const DESCRIPTION_MAX: usize = 10_000;

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

pub(crate) fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(crate) fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) {
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

/// An IANA time zone name, or a 422 entry for `field`.
pub(crate) fn time_zone(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<Tz> {
    let value = value?;
    match value.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be an IANA time zone name (e.g. America/New_York)",
            );
            None
        }
    }
}
