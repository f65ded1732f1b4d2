//! Which channels a notification goes to, and when: mandatory types always on
//! their default channels, at once; otherwise the user's choice, else the
//! firm's default, else the type's default. E-mail and SMS wait for the end of
//! the user's quiet hours (in their time zone: theirs, else the firm's, else
//! UTC); with a daily digest, e-mail waits for the digest instead.

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::catalogue::{EMAIL, IN_APP, Kind, SMS};
use crate::model::UserSettings;
use crate::storage::preferences::Choice;

/// Where a channel's setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Mandatory,
    User,
    Firm,
    Default,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mandatory => "MANDATORY",
            Self::User => "USER",
            Self::Firm => "FIRM",
            Self::Default => "DEFAULT",
        }
    }
}

/// Everything that decides one recipient's channels.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub user: Vec<Choice>,
    pub firm: Vec<Choice>,
    pub settings: UserSettings,
    pub firm_time_zone: Option<String>,
}

fn find(choices: &[Choice], kind: &str, channel: &str) -> Option<bool> {
    choices
        .iter()
        .find(|c| c.kind == kind && c.channel == channel)
        .map(|c| c.enabled)
}

impl Prefs {
    pub fn enabled(&self, kind: &Kind, channel: &str) -> (bool, Source) {
        if kind.mandatory && kind.on_by_default(channel) {
            return (true, Source::Mandatory);
        }
        if let Some(on) = find(&self.user, kind.code, channel) {
            return (on, Source::User);
        }
        if let Some(on) = find(&self.firm, kind.code, channel) {
            return (on, Source::Firm);
        }
        (kind.on_by_default(channel), Source::Default)
    }

    pub fn time_zone(&self) -> Tz {
        self.settings
            .time_zone
            .as_deref()
            .or(self.firm_time_zone.as_deref())
            .and_then(|tz| tz.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// When the quiet hours around `now` end, if `now` is inside them.
    pub fn quiet_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (start, end) = (self.settings.quiet_start?, self.settings.quiet_end?);
        quiet_end(self.time_zone(), start, end, now)
    }
}

/// The end of the quiet period `[start, end)` (local, possibly past midnight)
/// that contains `now`, or `None` outside it.
pub fn quiet_end(
    tz: Tz,
    start: NaiveTime,
    end: NaiveTime,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if start == end {
        return None;
    }
    let local = now.with_timezone(&tz);
    let t = local.time();
    let today = local.date_naive();
    let end_day = if start < end {
        (start <= t && t < end).then_some(today)?
    } else if t >= start {
        today.checked_add_days(Days::new(1))?
    } else if t < end {
        today
    } else {
        return None;
    };
    let at = end_day.and_time(end);
    let resolved = tz.from_local_datetime(&at).earliest().or_else(|| {
        tz.from_local_datetime(&(at + chrono::Duration::hours(1)))
            .earliest()
    })?;
    Some(resolved.with_timezone(&Utc))
}

/// One recipient's channels for a new notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub in_app: bool,
    /// When the e-mail is due (none: not by e-mail now).
    pub email: Option<DateTime<Utc>>,
    pub sms: Option<DateTime<Utc>>,
}

impl Route {
    /// The channels it is delivered on (for the notification's `channels`).
    pub fn channels(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.in_app {
            out.push(IN_APP.to_owned());
        }
        if self.email.is_some() {
            out.push(EMAIL.to_owned());
        }
        if self.sms.is_some() {
            out.push(SMS.to_owned());
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        !self.in_app && self.email.is_none() && self.sms.is_none()
    }
}

/// The route of a `kind` notification for a recipient with `prefs`, created
/// `now`; a burst's mail waits for the burst window to close.
pub fn route(kind: &Kind, prefs: &Prefs, now: DateTime<Utc>, window: chrono::Duration) -> Route {
    let due = if kind.mandatory {
        now
    } else {
        let base = if kind.grouped { now + window } else { now };
        prefs.quiet_until(base).unwrap_or(base)
    };
    let digest = !kind.mandatory && prefs.settings.email_digest == "DAILY";
    Route {
        in_app: prefs.enabled(kind, IN_APP).0,
        email: (prefs.enabled(kind, EMAIL).0 && !digest).then_some(due),
        sms: prefs.enabled(kind, SMS).0.then_some(due),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::catalogue::kind_of;
    use uuid::Uuid;

    fn prefs(user: &[(&str, &str, bool)], firm: &[(&str, &str, bool)]) -> Prefs {
        let c = |v: &[(&str, &str, bool)]| {
            v.iter()
                .map(|(k, ch, on)| Choice {
                    kind: (*k).into(),
                    channel: (*ch).into(),
                    enabled: *on,
                })
                .collect()
        };
        Prefs {
            user: c(user),
            firm: c(firm),
            settings: UserSettings::defaults(Uuid::nil(), Uuid::nil()),
            firm_time_zone: None,
        }
    }

    #[test]
    fn the_user_beats_the_firm_beats_the_default_and_mandatory_beats_all() {
        let stage = kind_of("matter.stage_changed").unwrap();
        let p = prefs(
            &[("matter.stage_changed", EMAIL, false)],
            &[("matter.stage_changed", SMS, true)],
        );
        assert_eq!(p.enabled(stage, EMAIL), (false, Source::User));
        assert_eq!(p.enabled(stage, SMS), (true, Source::Firm));
        assert_eq!(p.enabled(stage, IN_APP), (true, Source::Default));
        let cred = kind_of("credential.expiring").unwrap();
        let p = prefs(&[("credential.expiring", EMAIL, false)], &[]);
        assert_eq!(p.enabled(cred, EMAIL), (true, Source::Mandatory));
    }

    #[test]
    fn quiet_hours_wrap_midnight_in_the_users_time_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let (start, end) = (
            NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        );
        // 21:30 UTC in January is 22:30 in Berlin: quiet until 07:00 Berlin = 06:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 21, 30, 0).unwrap();
        assert_eq!(
            quiet_end(tz, start, end, now),
            Some(Utc.with_ymd_and_hms(2026, 1, 11, 6, 0, 0).unwrap())
        );
        let noon = Utc.with_ymd_and_hms(2026, 1, 10, 11, 0, 0).unwrap();
        assert_eq!(quiet_end(tz, start, end, noon), None);
        let early = Utc.with_ymd_and_hms(2026, 1, 10, 4, 0, 0).unwrap();
        assert_eq!(
            quiet_end(tz, start, end, early),
            Some(Utc.with_ymd_and_hms(2026, 1, 10, 6, 0, 0).unwrap())
        );
    }

    #[test]
    fn a_digest_holds_mail_back_but_not_mandatory_mail() {
        let mut p = prefs(&[], &[]);
        p.settings.email_digest = "DAILY".into();
        let now = Utc::now();
        let w = chrono::Duration::seconds(60);
        assert_eq!(
            route(kind_of("matter.stage_changed").unwrap(), &p, now, w).email,
            None
        );
        assert_eq!(
            route(kind_of("credential.expiring").unwrap(), &p, now, w).email,
            Some(now)
        );
        let burst = route(
            kind_of("message.sent").unwrap(),
            &prefs(&[("message.sent", EMAIL, true)], &[]),
            now,
            w,
        );
        assert_eq!(burst.email, Some(now + w));
    }
}
