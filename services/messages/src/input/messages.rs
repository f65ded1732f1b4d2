//! Request bodies and query parameters of the message routes (camelCase
//! bodies, snake_case parameters, unknown fields refused), each validated so
//! that one 422 names every bad field.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode, PageParams};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::model::{CONTACT, MATTER};

/// The longest body (Markdown source), in characters.
pub const BODY_MAX: usize = 10_000;
/// The most attachments (document ids) a message or comment carries.
pub const ATTACHMENTS_MAX: usize = 10;

/// `POST /api/v1/messages/`: a message in a channel.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessage {
    /// The channel (at the channels service).
    pub channel_id: Option<Uuid>,
    /// Markdown, at most 10,000 characters (SMS: at most 10 parts).
    pub body: Option<String>,
    /// Document ids, at most 10 (not on SMS channels).
    pub attachments: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone)]
pub struct ValidSend {
    pub channel_id: Uuid,
    pub body: String,
    pub attachments: Vec<Uuid>,
}

/// A required Markdown body, trimmed.
pub fn body(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> String {
    errors.text(field, value, BODY_MAX);
    value.unwrap_or_default().trim().to_owned()
}

/// Distinct document ids, at most [`ATTACHMENTS_MAX`].
pub fn attachments(errors: &mut FieldErrors, value: Option<Vec<Uuid>>) -> Vec<Uuid> {
    let mut ids = value.unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.len() > ATTACHMENTS_MAX {
        errors.add(
            "attachments",
            ErrorCode::InvalidFieldFormat,
            format!("at most {ATTACHMENTS_MAX} documents"),
        );
    }
    ids
}

impl SendMessage {
    pub fn validate(self) -> Result<ValidSend, ApiError> {
        let mut errors = FieldErrors::new();
        if self.channel_id.is_none() {
            errors.missing("channelId");
        }
        let body = body(&mut errors, "body", self.body.as_deref());
        let attachments = attachments(&mut errors, self.attachments);
        errors.into_result()?;
        Ok(ValidSend {
            channel_id: self.channel_id.unwrap_or_default(),
            body,
            attachments,
        })
    }
}

/// `PATCH /api/v1/messages/{id}`: a new body (the old one is kept).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditMessage {
    /// Markdown, at most 10,000 characters.
    pub body: Option<String>,
}

impl EditMessage {
    pub fn validate(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        let body = body(&mut errors, "body", self.body.as_deref());
        errors.into_result()?;
        Ok(body)
    }
}

/// `GET /api/v1/messages/`: a channel's thread, or every message of a matter or contact.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    /// One channel's thread (newest first).
    pub channel_id: Option<Uuid>,
    /// With `context_id`: every channel's messages of a `MATTER` (or `CASE`) or a `CONTACT`.
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

/// What a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Channel(Uuid),
    Context(&'static str, Uuid),
}

fn check_limit(errors: &mut FieldErrors, page: &PageParams) {
    if page.limit().is_err() {
        errors.add(
            "limit",
            ErrorCode::InvalidFieldFormat,
            "must be between 1 and 100",
        );
    }
}

impl MessageQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }

    pub fn validate(&self) -> Result<Listing, ApiError> {
        let mut errors = FieldErrors::new();
        check_limit(&mut errors, &self.page());
        let context = self.context_type.as_deref().map(str::to_ascii_uppercase);
        let context = match context.as_deref() {
            None => None,
            Some(MATTER | "CASE") => Some(MATTER),
            Some(CONTACT) => Some(CONTACT),
            Some(_) => {
                errors.add(
                    "context_type",
                    ErrorCode::InvalidEnumValue,
                    "must be one of MATTER, CASE, CONTACT",
                );
                None
            }
        };
        let listing = match (
            self.channel_id,
            self.context_type.is_some(),
            self.context_id,
        ) {
            (Some(channel), false, None) => Some(Listing::Channel(channel)),
            (None, true, Some(id)) => context.map(|c| Listing::Context(c, id)),
            (None, true, None) => {
                errors.missing("context_id");
                None
            }
            (None, false, Some(_)) => {
                errors.missing("context_type");
                None
            }
            (None, false, None) => {
                errors.add(
                    "channel_id",
                    ErrorCode::RequiredFieldMissing,
                    "channel_id, or context_type with context_id, is required",
                );
                None
            }
            (Some(_), _, _) => {
                errors.add(
                    "channel_id",
                    ErrorCode::InvalidFieldFormat,
                    "give channel_id or context_type with context_id, not both",
                );
                None
            }
        };
        errors.into_result()?;
        listing.ok_or_else(|| ApiError::internal("a listing passed validation without a target"))
    }
}

/// `GET /api/v1/messages/search`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Web-search syntax: words, `"a phrase"`, `or`, `-excluded` (English stemming).
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

/// The longest search text.
pub const QUERY_MAX: usize = 200;

impl SearchQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }

    pub fn validate(&self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        errors.text("q", self.q.as_deref(), QUERY_MAX);
        check_limit(&mut errors, &self.page());
        errors.into_result()?;
        Ok(self.q.as_deref().unwrap_or_default().trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: ApiError) -> Vec<String> {
        e.details.unwrap()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_list_names_one_target() {
        let c = Uuid::now_v7();
        let q = |ch, ty: Option<&str>, id| MessageQuery {
            channel_id: ch,
            context_type: ty.map(str::to_owned),
            context_id: id,
            ..MessageQuery::default()
        };
        assert_eq!(
            q(Some(c), None, None).validate().unwrap(),
            Listing::Channel(c)
        );
        assert_eq!(
            q(None, Some("case"), Some(c)).validate().unwrap(),
            Listing::Context(MATTER, c)
        );
        assert_eq!(
            fields(q(None, None, None).validate().unwrap_err()),
            ["channel_id"]
        );
        assert_eq!(
            fields(q(None, Some("TASK"), None).validate().unwrap_err()),
            ["context_type", "context_id"]
        );
        assert_eq!(
            fields(q(Some(c), Some("MATTER"), Some(c)).validate().unwrap_err()),
            ["channel_id"]
        );
    }

    #[test]
    fn a_send_names_every_bad_field() {
        let e = SendMessage {
            channel_id: None,
            body: Some("x".repeat(BODY_MAX + 1)),
            attachments: Some((0..11).map(|_| Uuid::now_v7()).collect()),
        }
        .validate()
        .unwrap_err();
        assert_eq!(fields(e), ["channelId", "body", "attachments"]);
    }
}
