//! Bodies of `PUT /preferences` (a user's own) and `PUT /firm-settings` (the firm's).

use chrono::NaiveTime;
use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalogue::{CHANNELS, kind_of};
use crate::storage::preferences::{Choice, FirmSettings};

/// One `type × channel` switch.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChoiceBody {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `IN_APP`, `EMAIL` or `SMS`.
    pub channel: Option<String>,
    pub enabled: Option<bool>,
}

/// Local times `HH:MM`; e-mail and SMS wait while inside (may pass midnight).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuietHours {
    pub start: String,
    pub end: String,
}

/// A user's whole preferences (PUT replaces them).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferencesBody {
    /// IANA time zone of quiet hours and the digest (`null`: the firm's).
    pub time_zone: Option<String>,
    pub quiet_hours: Option<QuietHours>,
    /// `OFF` (each e-mail at once) or `DAILY` (one digest a day).
    pub email_digest: Option<String>,
    /// Local hour of the digest, 0–23 (default 8).
    pub digest_hour: Option<i16>,
    /// Overrides of the firm's defaults; types left out follow the firm.
    pub channels: Option<Vec<ChoiceBody>>,
}

pub struct ValidPreferences {
    pub time_zone: Option<String>,
    pub quiet: Option<(NaiveTime, NaiveTime)>,
    pub email_digest: String,
    pub digest_hour: i16,
    pub choices: Vec<Choice>,
}

/// The firm's sender, time zone and defaults (PUT replaces them).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirmSettingsBody {
    /// The firm's sender address (`null`: the platform's).
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub time_zone: Option<String>,
    pub defaults: Option<Vec<ChoiceBody>>,
}

pub struct ValidFirmSettings {
    pub settings: FirmSettings,
    pub choices: Vec<Choice>,
}

fn time(errors: &mut FieldErrors, field: &str, value: &str) -> Option<NaiveTime> {
    match NaiveTime::parse_from_str(value.trim(), "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be a local time HH:MM",
            );
            None
        }
    }
}

/// Checks each switch; `user` switches may not turn a mandatory type off.
fn choices(
    errors: &mut FieldErrors,
    field: &str,
    items: Option<Vec<ChoiceBody>>,
    user: bool,
) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    for (i, c) in items.unwrap_or_default().into_iter().enumerate() {
        let at = |name: &str| format!("{field}[{i}].{name}");
        let kind = match c.kind.as_deref().map(|k| (k, kind_of(k))) {
            None => {
                errors.missing(&at("type"));
                None
            }
            Some((_, None)) => {
                errors.add(
                    &at("type"),
                    ErrorCode::InvalidEnumValue,
                    "is not a notification type",
                );
                None
            }
            Some((_, Some(k))) => Some(k),
        };
        let channel = match c.channel.as_deref() {
            None => {
                errors.missing(&at("channel"));
                None
            }
            Some(ch) if !CHANNELS.contains(&ch) => {
                errors.add(
                    &at("channel"),
                    ErrorCode::InvalidEnumValue,
                    "must be IN_APP, EMAIL or SMS",
                );
                None
            }
            Some(ch) => Some(ch),
        };
        let Some(enabled) = c.enabled else {
            errors.missing(&at("enabled"));
            continue;
        };
        let (Some(kind), Some(channel)) = (kind, channel) else {
            continue;
        };
        if user && kind.mandatory && kind.on_by_default(channel) && !enabled {
            errors.add(
                &at("enabled"),
                ErrorCode::InvalidFieldFormat,
                "this notice is mandatory on this channel and cannot be turned off",
            );
            continue;
        }
        if out
            .iter()
            .any(|o| o.kind == kind.code && o.channel == channel)
        {
            errors.add(
                &at("type"),
                ErrorCode::ValidationError,
                "the same type and channel appear twice",
            );
            continue;
        }
        out.push(Choice {
            kind: kind.code.to_owned(),
            channel: channel.to_owned(),
            enabled,
        });
    }
    out
}

impl PreferencesBody {
    pub fn validate(self) -> Result<ValidPreferences, ApiError> {
        let mut errors = FieldErrors::new();
        let time_zone = super::time_zone(&mut errors, "timeZone", self.time_zone.as_deref());
        let quiet = self.quiet_hours.as_ref().and_then(|q| {
            let start = time(&mut errors, "quietHours.start", &q.start);
            let end = time(&mut errors, "quietHours.end", &q.end);
            match (start, end) {
                (Some(s), Some(e)) if s == e => {
                    errors.add(
                        "quietHours.end",
                        ErrorCode::InvalidFieldFormat,
                        "must differ from start",
                    );
                    None
                }
                (Some(s), Some(e)) => Some((s, e)),
                _ => None,
            }
        });
        let email_digest = self.email_digest.unwrap_or_else(|| "OFF".to_owned());
        if email_digest != "OFF" && email_digest != "DAILY" {
            errors.add(
                "emailDigest",
                ErrorCode::InvalidEnumValue,
                "must be OFF or DAILY",
            );
        }
        let digest_hour = self.digest_hour.unwrap_or(8);
        if !(0..=23).contains(&digest_hour) {
            errors.add(
                "digestHour",
                ErrorCode::InvalidFieldFormat,
                "must be between 0 and 23",
            );
        }
        let choices = choices(&mut errors, "channels", self.channels, true);
        errors.into_result()?;
        Ok(ValidPreferences {
            time_zone,
            quiet,
            email_digest,
            digest_hour,
            choices,
        })
    }
}

impl FirmSettingsBody {
    pub fn validate(self) -> Result<ValidFirmSettings, ApiError> {
        let mut errors = FieldErrors::new();
        let from_address = self.from_address.map(|a| a.trim().to_lowercase());
        if let Some(a) = &from_address {
            errors.email("fromAddress", Some(a));
        }
        let from_name = self
            .from_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if from_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            errors.add(
                "fromName",
                ErrorCode::InvalidFieldFormat,
                "must be at most 200 characters",
            );
        }
        let time_zone = super::time_zone(&mut errors, "timeZone", self.time_zone.as_deref());
        let choices = choices(&mut errors, "defaults", self.defaults, false);
        errors.into_result()?;
        Ok(ValidFirmSettings {
            settings: FirmSettings {
                from_address,
                from_name,
                time_zone,
            },
            choices,
        })
    }
}
