//! Comment bodies: Markdown with `@[Name](userId)` mentions, an optional
//! parent (a reply), document ids.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::messages::{attachments, body};
use crate::comments::mentions::{self, MAX_MENTIONS};

/// `POST /api/v1/messages/comments/{resourceType}/{resourceId}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateComment {
    /// Markdown, at most 10,000 characters; mention a member as `@[Name](userId)`.
    pub body: Option<String>,
    /// The top-level comment this one replies to (on the same resource).
    pub parent_id: Option<Uuid>,
    /// Document ids, at most 10.
    pub attachments: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone)]
pub struct ValidComment {
    pub body: String,
    pub parent_id: Option<Uuid>,
    pub attachments: Vec<Uuid>,
    pub mentions: Vec<Uuid>,
}

fn mentions_of(errors: &mut FieldErrors, body: &str) -> Vec<Uuid> {
    let found = mentions::parse(body);
    if found.len() > MAX_MENTIONS {
        errors.add(
            "body",
            ErrorCode::InvalidFieldFormat,
            format!("mentions at most {MAX_MENTIONS} people"),
        );
    }
    found
}

impl CreateComment {
    pub fn validate(self) -> Result<ValidComment, ApiError> {
        let mut errors = FieldErrors::new();
        let body = body(&mut errors, "body", self.body.as_deref());
        let mentions = mentions_of(&mut errors, &body);
        let attachments = attachments(&mut errors, self.attachments);
        errors.into_result()?;
        Ok(ValidComment {
            body,
            parent_id: self.parent_id,
            attachments,
            mentions,
        })
    }
}

/// `PATCH /api/v1/messages/comments/{commentId}`: a new body (the old one is kept).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditComment {
    /// Markdown, at most 10,000 characters.
    pub body: Option<String>,
}

impl EditComment {
    /// The new body and whom it mentions.
    pub fn validate(self) -> Result<(String, Vec<Uuid>), ApiError> {
        let mut errors = FieldErrors::new();
        let body = body(&mut errors, "body", self.body.as_deref());
        let mentions = mentions_of(&mut errors, &body);
        errors.into_result()?;
        Ok((body, mentions))
    }
}
