//! The firm's settings from tenants (`GET {LAWOS_TENANTS_URL}/api/v1/tenants/{firmId}`),
//! read with the caller's own token (a firm's members read their firm; a service
//! token is answered 404 there, and then the defaults apply) and kept in process
//! for five minutes per firm.
//!
//! - `settings.timeZone`: IANA name due dates without a time are read in (default `UTC`);
//! - `settings.appointmentReminderMinutes`: reminders of an appointment that names
//!   none (default `[1440, 15]`: a day and a quarter of an hour before).

use chrono_tz::Tz;
use lawos_core::{ApiError, FirmId};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DEFAULT_REMINDERS: [i32; 2] = [1440, 15];
const TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq)]
pub struct FirmSettings {
    pub time_zone: Tz,
    pub reminder_minutes: Vec<i32>,
}

impl Default for FirmSettings {
    fn default() -> Self {
        Self {
            time_zone: Tz::UTC,
            reminder_minutes: DEFAULT_REMINDERS.to_vec(),
        }
    }
}

impl FirmSettings {
    /// The settings a firm's `settings` object gives (unusable values: the defaults).
    pub fn from_settings(settings: &Value) -> Self {
        let defaults = Self::default();
        let time_zone = settings["timeZone"]
            .as_str()
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(defaults.time_zone);
        let reminder_minutes = settings["appointmentReminderMinutes"]
            .as_array()
            .and_then(|list| {
                list.iter()
                    .map(|m| {
                        m.as_i64()
                            .and_then(|m| i32::try_from(m).ok())
                            .filter(|m| (0..=40_320).contains(m))
                    })
                    .collect::<Option<Vec<i32>>>()
            })
            .unwrap_or(defaults.reminder_minutes);
        Self {
            time_zone,
            reminder_minutes,
        }
    }
}

#[derive(Clone)]
pub struct FirmSettingsClient {
    base_url: String,
    http: reqwest::Client,
    cache: Arc<Mutex<HashMap<FirmId, (FirmSettings, Instant)>>>,
}

impl FirmSettingsClient {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: super::http_client(),
            cache: Arc::default(),
        }
    }

    /// The firm's settings, read with `bearer` (the caller's token). Tenants
    /// unreachable or failing is 503; a firm it does not show the caller, the defaults.
    #[tracing::instrument(skip(self, bearer), fields(%firm))]
    pub async fn get(&self, firm: FirmId, bearer: &str) -> Result<FirmSettings, ApiError> {
        if let Some(hit) = self.cached(firm) {
            return Ok(hit);
        }
        let request = self
            .http
            .get(format!("{}/api/v1/tenants/{firm}", self.base_url));
        let res = super::outgoing(request, firm, bearer)
            .send()
            .await
            .map_err(ApiError::unavailable)?;
        let settings = match res.status().as_u16() {
            200 => {
                let body: Value = res.json().await.map_err(ApiError::unavailable)?;
                FirmSettings::from_settings(&body["settings"])
            }
            403 | 404 => return Ok(FirmSettings::default()),
            other => {
                return Err(ApiError::dependency(
                    other,
                    format!("the tenants service answered {other}"),
                ));
            }
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(firm, (settings.clone(), Instant::now()));
        }
        Ok(settings)
    }

    fn cached(&self, firm: FirmId) -> Option<FirmSettings> {
        let cache = self.cache.lock().ok()?;
        let (settings, at) = cache.get(&firm)?;
        (at.elapsed() < TTL).then(|| settings.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_fall_back_to_the_defaults() {
        let s = FirmSettings::from_settings(
            &json!({ "timeZone": "Europe/Berlin", "appointmentReminderMinutes": [60] }),
        );
        assert_eq!(s.time_zone, Tz::Europe__Berlin);
        assert_eq!(s.reminder_minutes, vec![60]);
        let bad = FirmSettings::from_settings(
            &json!({ "timeZone": "Mars/Base", "appointmentReminderMinutes": [-1] }),
        );
        assert_eq!(bad, FirmSettings::default());
        assert_eq!(
            FirmSettings::from_settings(&Value::Null),
            FirmSettings::default()
        );
    }
}
