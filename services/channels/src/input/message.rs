//! `POST /api/v1/channels/{id}/messages`: what the caller sends. The body's own
//! rules (length, Markdown) are the messages service's; here it must be there.

use lawos_core::ApiError;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessage {
    /// The message (Markdown source).
    pub body: Option<String>,
    /// Documents attached, by id.
    pub attachments: Option<Vec<Uuid>>,
}

/// What the messages service is sent: `POST /api/v1/messages/`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outgoing {
    pub channel_id: Uuid,
    pub body: String,
    pub attachments: Vec<Uuid>,
}

impl SendMessage {
    pub fn validate(self, channel_id: Uuid) -> Result<Outgoing, ApiError> {
        let mut errors = FieldErrors::new();
        if self.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            errors.missing("body");
        }
        errors.into_result()?;
        Ok(Outgoing {
            channel_id,
            body: self.body.unwrap_or_default(),
            attachments: self.attachments.unwrap_or_default(),
        })
    }
}
