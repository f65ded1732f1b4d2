//! Recurrence (RFC 5545 RRULE, with the `rrule` crate): occurrences repeat at
//! the same wall-clock time in the appointment's time zone (so across a DST
//! change a 09:00 meeting stays at 09:00 local). Rules repeat at most daily
//! (DAILY, WEEKLY, MONTHLY, YEARLY), so a series has a bounded number of
//! occurrences within the materialised horizon.
//!
//! Occurrences are materialised into `appointment_occurrences` up to
//! [`HORIZON`] ahead (the horizon job moves it forward), which keeps the clash
//! check and the list windows single indexed SQL queries; list windows may not
//! reach beyond the horizon.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

/// How far ahead occurrences (and their reminders) exist: 18 months.
pub const HORIZON: Duration = Duration::days(548);
/// The most occurrences one expansion yields.
const MAX_OCCURRENCES: u16 = 5000;

/// A rule that parses, repeats at most daily and builds from `start` in `tz`;
/// the message names what is wrong.
pub fn check(rule: &str, start: DateTime<Utc>, tz: Tz) -> Result<(), String> {
    let set = build(rule, start, tz)?;
    match set.get_rrule().first().map(|r| r.get_freq()) {
        Some(Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly) => {
            Ok(())
        }
        _ => Err("must repeat DAILY, WEEKLY, MONTHLY or YEARLY".to_owned()),
    }
}

/// The RRULE value without a `RRULE:` prefix, upper-cased.
pub fn normalise(rule: &str) -> String {
    let rule = rule.trim();
    let rule = rule
        .strip_prefix("RRULE:")
        .or_else(|| rule.strip_prefix("rrule:"))
        .unwrap_or(rule);
    rule.to_ascii_uppercase()
}

fn build(rule: &str, start: DateTime<Utc>, tz: Tz) -> Result<RRuleSet, String> {
    let parsed: RRule<Unvalidated> = normalise(rule).parse().map_err(|e| format!("{e}"))?;
    parsed
        .build(start.with_timezone(&rrule::Tz::Tz(tz)))
        .map_err(|e| format!("{e}"))
}

/// The occurrence starts of a series (or the single `start` without a rule)
/// in `[from, until)`.
pub fn starts_between(
    rule: Option<&str>,
    start: DateTime<Utc>,
    tz: Tz,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let Some(rule) = rule else {
        return if start >= from && start < until {
            vec![start]
        } else {
            Vec::new()
        };
    };
    let Ok(set) = build(rule, start, tz) else {
        return Vec::new();
    };
    let rtz = rrule::Tz::Tz(tz);
    set.after(from.with_timezone(&rtz))
        .before(until.with_timezone(&rtz))
        .all(MAX_OCCURRENCES)
        .dates
        .into_iter()
        .map(|d| d.with_timezone(&Utc))
        .filter(|d| *d >= from && *d < until)
        .collect()
}

/// The end of the series' last occurrence, when the rule ends (COUNT or UNTIL).
pub fn series_end(
    rule: &str,
    start: DateTime<Utc>,
    tz: Tz,
    duration: Duration,
) -> Option<DateTime<Utc>> {
    let set = build(rule, start, tz).ok()?;
    let bounded = set
        .get_rrule()
        .first()
        .is_some_and(|r| r.get_count().is_some() || r.get_until().is_some());
    if !bounded {
        return None;
    }
    let result = set.all(MAX_OCCURRENCES);
    result
        .dates
        .last()
        .map(|d| d.with_timezone(&Utc) + duration)
}

/// Whether `at` is an occurrence start of the series.
pub fn is_occurrence(rule: &str, start: DateTime<Utc>, tz: Tz, at: DateTime<Utc>) -> bool {
    starts_between(Some(rule), start, tz, at, at + Duration::seconds(1)).contains(&at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn weekly_occurrences_keep_the_local_time_across_dst() {
        let start = at("2026-03-02T14:00:00Z"); // 09:00 in New York (EST)
        let tz = Tz::America__New_York;
        let starts = starts_between(
            Some("FREQ=WEEKLY;COUNT=3"),
            start,
            tz,
            start,
            start + Duration::days(30),
        );
        assert_eq!(starts.len(), 3);
        // 8 March 2026 is the DST change: 09:00 EDT is 13:00 UTC.
        assert_eq!(starts[1], at("2026-03-09T13:00:00Z"));
        assert!(is_occurrence("FREQ=WEEKLY;COUNT=3", start, tz, starts[2]));
        assert!(!is_occurrence(
            "FREQ=WEEKLY;COUNT=3",
            start,
            tz,
            starts[2] + Duration::hours(1)
        ));
        let end = series_end("RRULE:FREQ=WEEKLY;COUNT=3", start, tz, Duration::hours(1));
        assert_eq!(end, Some(starts[2] + Duration::hours(1)));
        assert_eq!(
            series_end("FREQ=WEEKLY", start, tz, Duration::hours(1)),
            None
        );
    }

    #[test]
    fn rules_are_checked() {
        let start = Utc
            .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(check("FREQ=WEEKLY;BYDAY=MO", start, Tz::UTC).is_ok());
        assert!(check("FREQ=HOURLY", start, Tz::UTC).is_err());
        assert!(check("FREQ=SOMETIMES", start, Tz::UTC).is_err());
        assert_eq!(
            starts_between(None, start, Tz::UTC, start, start + Duration::days(1)),
            vec![start]
        );
    }
}
