//! `POST /api/v1/channels/sms` (service principals): the SMS channel of a
//! contact, or the firm's SMS intake channel when the number is unknown.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::is_e164;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmsChannel {
    /// The contact whose number it is; null: an unknown number (the intake channel).
    pub contact_id: Option<Uuid>,
    /// The contact's number in E.164.
    pub phone: Option<String>,
}

impl SmsChannel {
    /// The contact (if any) and the number.
    pub fn validate(self) -> Result<(Option<Uuid>, String), ApiError> {
        let mut errors = FieldErrors::new();
        let phone = self.phone.as_deref().map(str::trim).unwrap_or_default();
        if phone.is_empty() {
            errors.missing("phone");
        } else if !is_e164(phone) {
            errors.add(
                "phone",
                ErrorCode::InvalidFieldFormat,
                "must be an E.164 number such as +15551234567",
            );
        }
        errors.into_result()?;
        Ok((self.contact_id, phone.to_owned()))
    }
}
