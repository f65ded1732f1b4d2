//! Comment rows and their API representations.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{comment_edits, comments};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = comments, check_for_backend(diesel::pg::Pg))]
pub struct Comment {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub matter_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub author_user_id: Uuid,
    pub body: String,
    pub attachments: Vec<Uuid>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub deleted_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Comment {
    /// A strong validator for `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        format!(
            "\"{}-{}\"",
            self.id.simple(),
            self.updated_at.timestamp_micros()
        )
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = comment_edits, check_for_backend(diesel::pg::Pg))]
pub struct CommentEdit {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub comment_id: Uuid,
    pub previous_body: String,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
}

/// A previous body.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditView {
    pub previous_body: String,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
}

/// A comment as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    pub id: Uuid,
    /// `MATTER`, `CLIENT`, `DOCUMENT`, `APPOINTMENT` or `TIME_ENTRY`.
    pub resource_type: String,
    pub resource_id: Uuid,
    /// The matter the resource is or lies under, when there is one.
    pub matter_id: Option<Uuid>,
    /// The comment this one replies to (threads are one level deep).
    pub parent_id: Option<Uuid>,
    pub author_user_id: Uuid,
    /// Markdown source; `null` for a deleted comment shown because it has replies.
    pub body: Option<String>,
    /// Document ids.
    pub attachments: Vec<Uuid>,
    /// The firm members the body mentions (`@[Name](userId)`).
    pub mentions: Vec<Uuid>,
    pub edited_at: Option<DateTime<Utc>>,
    /// Previous bodies, newest first (on the answer to an edit; empty in lists).
    pub edits: Vec<EditView>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CommentView {
    pub fn new(c: &Comment, mentions: Vec<Uuid>) -> Self {
        let deleted = c.deleted_at.is_some();
        Self {
            id: c.id,
            resource_type: c.resource_type.clone(),
            resource_id: c.resource_id,
            matter_id: c.matter_id,
            parent_id: c.parent_id,
            author_user_id: c.author_user_id,
            body: (!deleted).then(|| c.body.clone()),
            attachments: if deleted {
                Vec::new()
            } else {
                c.attachments.clone()
            },
            mentions: if deleted { Vec::new() } else { mentions },
            edited_at: c.edited_at,
            edits: Vec::new(),
            deleted_at: c.deleted_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A top-level comment with its replies (oldest first).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadView {
    #[serde(flatten)]
    pub comment: CommentView,
    pub replies: Vec<CommentView>,
}
