//! iCalendar (RFC 5545) with the `icalendar` crate: one VEVENT per appointment
//! (UID `<id>@lawos`, DTSTAMP, SEQUENCE, DTSTART/DTEND in the appointment's
//! time zone, RRULE and EXDATE for a series, ORGANIZER, ATTENDEE with PARTSTAT,
//! STATUS:CANCELLED for a cancelled one) and one more VEVENT per moved
//! occurrence (same UID, RECURRENCE-ID). Every TZID used is defined by a
//! VTIMEZONE listing that zone's real transitions over the events' span (from
//! chrono-tz), so clients expand a series at the same local time across DST.
//! Firm users and contacts are `urn:uuid:` calendar addresses, external
//! attendees `mailto:`.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};

use crate::model::{Appointment, Attendee, Exception};

/// One appointment with what its VEVENTs need.
pub struct Entry<'a> {
    pub appointment: &'a Appointment,
    pub attendees: &'a [Attendee],
    pub exceptions: &'a [Exception],
}

fn zone(a: &Appointment) -> Tz {
    a.time_zone.parse().unwrap_or(Tz::UTC)
}

fn local(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

fn when(at: DateTime<Utc>, tz: Tz) -> CalendarDateTime {
    if tz == Tz::UTC {
        CalendarDateTime::Utc(at)
    } else {
        CalendarDateTime::WithTimezone {
            date_time: local(at, tz),
            tzid: tz.name().to_owned(),
        }
    }
}

/// `DATE-TIME` text of `at` for a property with `TZID=tz` (UTC: the `Z` form).
fn stamp(at: DateTime<Utc>, tz: Tz) -> (String, Option<String>) {
    if tz == Tz::UTC {
        (at.format("%Y%m%dT%H%M%SZ").to_string(), None)
    } else {
        (
            local(at, tz).format("%Y%m%dT%H%M%S").to_string(),
            Some(tz.name().to_owned()),
        )
    }
}

fn dated(key: &str, at: DateTime<Utc>, tz: Tz) -> Property {
    let (value, tzid) = stamp(at, tz);
    let mut p = Property::new(key, value);
    if let Some(tzid) = tzid {
        p.add_parameter("TZID", &tzid);
    }
    p.done()
}

fn partstat(response: &str) -> &'static str {
    match response {
        "ACCEPTED" => "ACCEPTED",
        "DECLINED" => "DECLINED",
        "TENTATIVE" => "TENTATIVE",
        _ => "NEEDS-ACTION",
    }
}

fn address(t: &Attendee) -> String {
    match (&t.email, t.user_id.or(t.contact_id)) {
        (Some(email), _) => format!("mailto:{email}"),
        (None, Some(id)) => format!("urn:uuid:{id}"),
        (None, None) => format!("urn:uuid:{}", t.id),
    }
}

fn base(e: &Entry<'_>, now: DateTime<Utc>) -> Event {
    let a = e.appointment;
    let mut ev = Event::new();
    ev.uid(&format!("{}@lawos", a.id))
        .timestamp(now)
        .summary(&a.title)
        .add_property("SEQUENCE", a.sequence.to_string())
        .add_property("CATEGORIES", &a.appointment_type)
        .add_property(
            "LAST-MODIFIED",
            a.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
        )
        .status(if a.is_cancelled() {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    if let Some(d) = &a.description {
        ev.description(d);
    }
    match (&a.location, &a.video_url) {
        (Some(l), _) => ev.location(l),
        (None, Some(v)) => ev.location(v),
        _ => &mut ev,
    };
    if let Some(v) = &a.video_url {
        ev.url(v);
    }
    ev.append_property(
        Property::new("ORGANIZER", format!("urn:uuid:{}", a.organizer_user_id)).done(),
    );
    for t in e.attendees {
        let mut p = Property::new("ATTENDEE", address(t));
        p.add_parameter("PARTSTAT", partstat(&t.response))
            .add_parameter("CUTYPE", "INDIVIDUAL")
            .add_parameter(
                "ROLE",
                if t.organizer {
                    "CHAIR"
                } else {
                    "REQ-PARTICIPANT"
                },
            );
        if let Some(name) = &t.display_name {
            p.add_parameter("CN", name);
        }
        ev.append_multi_property(p.done());
    }
    ev
}

fn events_of(e: &Entry<'_>, now: DateTime<Utc>) -> Vec<Event> {
    let a = e.appointment;
    let tz = zone(a);
    let mut master = base(e, now);
    master
        .starts(when(a.starts_at, tz))
        .ends(when(a.ends_at, tz));
    if let Some(rule) = &a.recurrence {
        master.add_property("RRULE", rule);
    }
    for x in e.exceptions.iter().filter(|x| x.cancelled) {
        master.append_multi_property(dated("EXDATE", x.occurrence_starts_at, tz));
    }
    let mut out = vec![master.done()];
    for x in e.exceptions.iter().filter(|x| !x.cancelled) {
        let (Some(s), Some(end)) = (x.starts_at, x.ends_at) else {
            continue;
        };
        let mut moved = base(e, now);
        moved.starts(when(s, tz)).ends(when(end, tz));
        moved.append_property(dated("RECURRENCE-ID", x.occurrence_starts_at, tz));
        out.push(moved.done());
    }
    out
}

/// The calendar of `entries`, named `name`.
pub fn calendar(name: &str, entries: &[Entry<'_>]) -> String {
    let now = Utc::now();
    let mut cal = Calendar::new();
    cal.name(name)
        .append_property(Property::new("METHOD", "PUBLISH").done());
    for e in entries {
        for ev in events_of(e, now) {
            cal.push(ev);
        }
    }
    let text = cal.done().to_string();
    with_timezones(&text, entries)
}

/// Inserts a VTIMEZONE for every zone the entries use, before the first component.
fn with_timezones(text: &str, entries: &[Entry<'_>]) -> String {
    let mut zones: Vec<(Tz, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for e in entries {
        let a = e.appointment;
        let tz = zone(a);
        if tz == Tz::UTC {
            continue;
        }
        let last = a.series_ends_at.unwrap_or(if a.recurrence.is_some() {
            a.starts_at + Duration::days(730)
        } else {
            a.ends_at
        });
        let first = e
            .exceptions
            .iter()
            .filter_map(|x| x.starts_at)
            .fold(a.starts_at, DateTime::min);
        match zones.iter_mut().find(|z| z.0 == tz) {
            Some(z) => {
                z.1 = z.1.min(first);
                z.2 = z.2.max(last);
            }
            None => zones.push((tz, first, last)),
        }
    }
    let blocks: String = zones
        .iter()
        .map(|(tz, from, to)| vtimezone(*tz, *from - Duration::days(1), *to + Duration::days(1)))
        .collect();
    match text.find("BEGIN:VEVENT") {
        Some(at) if !blocks.is_empty() => format!("{}{blocks}{}", &text[..at], &text[at..]),
        _ => text.to_owned(),
    }
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// A VTIMEZONE for `tz` with its observance at `from` and every transition up to `to`.
fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    let secs = |t: DateTime<Utc>| offset(t).fix().local_minus_utc();
    let mut onsets = vec![(from, secs(from), offset(from))];
    let mut t = from;
    while t < to {
        let next = t + Duration::hours(1);
        if secs(next) != secs(t) {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if secs(mid) == secs(t) {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            onsets.push((hi, secs(t), offset(hi)));
        }
        t = next;
    }
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    for (at, before, o) in onsets {
        let after = o.fix().local_minus_utc();
        let kind = if o.dst_offset().is_zero() {
            "STANDARD"
        } else {
            "DAYLIGHT"
        };
        let onset = at + Duration::seconds(i64::from(before));
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{}\r\nEND:{kind}\r\n",
            onset.naive_utc().format("%Y%m%dT%H%M%S"),
            offset_text(before),
            offset_text(after),
            o.abbreviation().unwrap_or(tz.name()),
        ));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vtimezone_lists_the_real_transitions() {
        let from = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let to = Utc
            .with_ymd_and_hms(2026, 12, 31, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let v = vtimezone(Tz::America__New_York, from, to);
        assert!(v.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400"), "{v}");
        assert!(v.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500"), "{v}");
    }
}
