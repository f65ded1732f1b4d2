//! `POST /api/v1/channels/` and `PATCH /api/v1/channels/{id}`.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::ParticipantBody;
use super::code;
use crate::model::{CONTEXT_TYPES, Context, KINDS, Party};

const TITLE_MAX: usize = 200;
/// The most participants one creation may list.
pub const PARTICIPANTS_MAX: usize = 50;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateChannel {
    /// `MATTER`, `CONTACT` or `INTERNAL`.
    pub context_type: Option<String>,
    /// The matter or contact (required for MATTER and CONTACT; absent for INTERNAL).
    pub context_id: Option<Uuid>,
    /// `INTERNAL` (default), `SMS`, `EMAIL` or `PORTAL`.
    pub kind: Option<String>,
    /// 1–200 characters.
    pub title: Option<String>,
    /// Who takes part besides the creator (at most 50).
    pub participants: Option<Vec<ParticipantBody>>,
}

/// A validated creation.
#[derive(Debug, Clone)]
pub struct ValidChannel {
    pub context: Context,
    pub kind: String,
    pub title: String,
    pub participants: Vec<Party>,
}

impl CreateChannel {
    pub fn validate(self) -> Result<ValidChannel, ApiError> {
        let mut errors = FieldErrors::new();
        let context_type = code(self.context_type.as_deref());
        let context = match (context_type.as_deref(), self.context_id) {
            (None, _) => {
                errors.missing("contextType");
                None
            }
            (Some("MATTER"), Some(id)) => Some(Context::Matter(id)),
            (Some("CONTACT"), Some(id)) => Some(Context::Contact(id)),
            (Some("MATTER" | "CONTACT"), None) => {
                errors.missing("contextId");
                None
            }
            (Some("INTERNAL"), None) => Some(Context::Internal),
            (Some("INTERNAL"), Some(_)) => {
                errors.add(
                    "contextId",
                    ErrorCode::InvalidFieldFormat,
                    "an INTERNAL channel has no context id",
                );
                None
            }
            (Some(other), _) => {
                errors.one_of("contextType", other, &CONTEXT_TYPES);
                None
            }
        };
        let kind = code(self.kind.as_deref()).unwrap_or_else(|| "INTERNAL".to_owned());
        errors.one_of("kind", &kind, &KINDS);
        errors.text("title", self.title.as_deref(), TITLE_MAX);
        let listed = self.participants.unwrap_or_default();
        if listed.len() > PARTICIPANTS_MAX {
            errors.add(
                "participants",
                ErrorCode::InvalidFieldFormat,
                format!("at most {PARTICIPANTS_MAX} participants"),
            );
        }
        let mut participants: Vec<Party> = Vec::new();
        for (i, p) in listed.iter().enumerate() {
            let prefix = format!("participants[{i}].");
            if let Some(party) = p.check(&mut errors, &prefix, kind == "SMS") {
                if participants.iter().any(|q| same_party(q, &party)) {
                    errors.add(
                        &format!("participants[{i}]"),
                        ErrorCode::InvalidFieldFormat,
                        "is listed twice",
                    );
                } else {
                    participants.push(party);
                }
            }
        }
        errors.into_result()?;
        Ok(ValidChannel {
            context: context.unwrap_or(Context::Internal),
            kind,
            title: self.title.unwrap_or_default().trim().to_owned(),
            participants,
        })
    }
}

/// The same user, or the same contact (whatever the phone).
pub(crate) fn same_party(a: &Party, b: &Party) -> bool {
    match (a, b) {
        (Party::User(x), Party::User(y)) => x == y,
        (Party::Contact { id: x, .. }, Party::Contact { id: y, .. }) => x == y,
        _ => false,
    }
}

/// `PATCH /api/v1/channels/{id}`: the title (the only field that changes).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateChannel {
    /// 1–200 characters.
    pub title: Option<String>,
}

impl UpdateChannel {
    /// The new title, if one is given.
    pub fn validate(self) -> Result<Option<String>, ApiError> {
        let Some(title) = self.title else {
            return Ok(None);
        };
        let mut errors = FieldErrors::new();
        errors.text("title", Some(&title), TITLE_MAX);
        errors.into_result()?;
        Ok(Some(title.trim().to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(err: ApiError) -> Vec<String> {
        err.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_bad_field_is_named() {
        let user = Uuid::now_v7();
        let body: CreateChannel = serde_json::from_value(json!({
            "contextType": "MATTER", "kind": "sms", "title": " ",
            "participants": [
                { "type": "USER", "userId": user },
                { "type": "USER", "userId": user },
                { "type": "CONTACT", "contactId": Uuid::now_v7() },
                { "type": "CONTACT", "contactId": Uuid::now_v7(), "phone": "555" },
                { "type": "ROBOT" },
                { "type": "USER", "phone": "+15551234567" }
            ]
        }))
        .unwrap();
        assert_eq!(
            fields(body.validate().unwrap_err()),
            [
                "contextId",
                "title",
                "participants[1]",
                "participants[2].phone",
                "participants[3].phone",
                "participants[4].type",
                "participants[5].phone",
                "participants[5].userId"
            ]
        );
    }

    #[test]
    fn internal_channels_have_no_context_id() {
        let body: CreateChannel = serde_json::from_value(json!({
            "contextType": "internal", "contextId": Uuid::now_v7(), "title": "Team"
        }))
        .unwrap();
        assert_eq!(fields(body.validate().unwrap_err()), ["contextId"]);
        let ok: CreateChannel =
            serde_json::from_value(json!({ "contextType": "INTERNAL", "title": " Team " }))
                .unwrap();
        let valid = ok.validate().unwrap();
        assert_eq!(
            (valid.kind.as_str(), valid.title.as_str()),
            ("INTERNAL", "Team")
        );
        assert_eq!(valid.context, Context::Internal);
    }
}
