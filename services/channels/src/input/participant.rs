//! A participant in a request: `{type, userId}` for a firm user,
//! `{type, contactId, phone?}` for a contact (`phone` in E.164; required on an
//! SMS channel, where it is the number messages go to).

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{code, is_e164};
use crate::model::{PARTICIPANT_TYPES, Party};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipantBody {
    /// `USER` or `CONTACT`.
    #[serde(rename = "type")]
    pub participant_type: Option<String>,
    /// The firm user (type `USER`).
    pub user_id: Option<Uuid>,
    /// The contact (type `CONTACT`).
    pub contact_id: Option<Uuid>,
    /// The contact's phone in E.164 (required on SMS channels).
    pub phone: Option<String>,
}

/// `POST /api/v1/channels/{id}/participants`.
pub type AddParticipant = ParticipantBody;

impl ParticipantBody {
    /// Checks the participant, naming fields under `prefix` (`""` or
    /// `participants[2].`); `sms`: the channel is an SMS channel.
    pub(crate) fn check(&self, errors: &mut FieldErrors, prefix: &str, sms: bool) -> Option<Party> {
        let field = |name: &str| format!("{prefix}{name}");
        let kind = code(self.participant_type.as_deref());
        let stray = |name: &str, present: bool, errors: &mut FieldErrors| {
            if present {
                errors.add(
                    &field(name),
                    ErrorCode::InvalidFieldFormat,
                    "does not apply to this participant type",
                );
            }
        };
        match kind.as_deref() {
            None => {
                errors.missing(&field("type"));
                None
            }
            Some("USER") => {
                stray("contactId", self.contact_id.is_some(), errors);
                stray("phone", self.phone.is_some(), errors);
                if self.user_id.is_none() {
                    errors.missing(&field("userId"));
                }
                self.user_id.map(Party::User)
            }
            Some("CONTACT") => {
                stray("userId", self.user_id.is_some(), errors);
                let phone = self.phone.as_deref().map(str::trim);
                match phone {
                    Some(p) if !is_e164(p) => errors.add(
                        &field("phone"),
                        ErrorCode::InvalidFieldFormat,
                        "must be an E.164 number such as +15551234567",
                    ),
                    None if sms => errors.add(
                        &field("phone"),
                        ErrorCode::RequiredFieldMissing,
                        "is required on an SMS channel",
                    ),
                    _ => {}
                }
                if self.contact_id.is_none() {
                    errors.missing(&field("contactId"));
                }
                self.contact_id.map(|id| Party::Contact {
                    id,
                    phone: phone.map(str::to_owned),
                })
            }
            Some(other) => {
                errors.one_of(&field("type"), other, &PARTICIPANT_TYPES);
                None
            }
        }
    }

    /// One participant added to a channel (`sms`: an SMS channel).
    pub fn validate(&self, sms: bool) -> Result<Party, ApiError> {
        let mut errors = FieldErrors::new();
        let party = self.check(&mut errors, "", sms);
        errors.into_result()?;
        party.ok_or_else(|| ApiError::internal("a checked participant is missing"))
    }
}
