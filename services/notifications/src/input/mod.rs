//! Request parameters and bodies, validated field by field so a client learns
//! every problem at once (422 naming each field).

mod list;
mod preferences;

pub use list::{ListQuery, Position as ListPosition, ValidList};
pub use preferences::{
    ChoiceBody, FirmSettingsBody, PreferencesBody, QuietHours, ValidFirmSettings, ValidPreferences,
};

use chrono_tz::Tz;
use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;

/// A time zone by IANA name (`Europe/Berlin`).
pub(crate) fn time_zone(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<String> {
    let v = value?.trim();
    match v.parse::<Tz>() {
        Ok(tz) => Some(tz.name().to_owned()),
        Err(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be an IANA time zone, e.g. Europe/Berlin",
            );
            None
        }
    }
}
