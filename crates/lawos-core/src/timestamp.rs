//! UTC timestamps in response bodies, written as one string.
//!
//! chrono's own `Serialize` writes RFC 3339 through `collect_str`, piece by
//! piece, and serde_json escapes every piece on its own: for a list page of
//! twenty matters with four timestamps each, that was a fifth of the request's
//! instructions (bench/README.md, matters-load's profile of the first page).
//! These write the same text (`to_rfc3339_opts(SecondsFormat::AutoSi, true)`,
//! what chrono's serde writes for `DateTime<Utc>`) with one `serialize_str`:
//! `#[serde(serialize_with = "lawos_core::timestamp::serialize")]`, and
//! `lawos_core::timestamp::serialize_option` for an `Option`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// `t` as chrono's serde writes it, in one string.
pub fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// [`serialize`] for an optional timestamp (`null` when absent).
pub fn serialize_option<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "serialize")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "serialize_option")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn the_text_is_chronos_own() {
        let base = Utc.with_ymd_and_hms(2026, 12, 4, 2, 23, 59).unwrap();
        for nanos in [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999] {
            let at = base + chrono::Duration::nanoseconds(nanos);
            for maybe in [None, Some(at)] {
                let ours = serde_json::to_string(&Ours { at, maybe }).unwrap();
                let chronos = serde_json::to_string(&Chronos { at, maybe }).unwrap();
                assert_eq!(ours, chronos);
            }
        }
    }
}
