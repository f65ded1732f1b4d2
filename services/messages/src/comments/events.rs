//! Comment events (entity `comment`, no body), filed under the matter the
//! resource lies under, or under the client for a client's comments.

use diesel_async::AsyncPgConnection;
use lawos_core::ApiError;
use lawos_events::EntityRef;
use serde_json::{Value, json};
use uuid::Uuid;

use super::model::Comment;
use crate::events::{
    COMMENT_CREATED, COMMENT_DELETED, COMMENT_MENTIONED, COMMENT_UPDATED, enqueue,
};

fn context(c: &Comment) -> Option<EntityRef> {
    match (c.matter_id, c.resource_type.as_str()) {
        (Some(matter), _) => Some(EntityRef::new("matter", matter)),
        (None, "CLIENT") => Some(EntityRef::new("client", c.resource_id)),
        _ => None,
    }
}

fn data(c: &Comment) -> Value {
    json!({
        "commentId": c.id, "resourceType": c.resource_type, "resourceId": c.resource_id,
        "parentId": c.parent_id, "authorUserId": c.author_user_id, "matterId": c.matter_id,
    })
}

async fn about(
    conn: &mut AsyncPgConnection,
    c: &Comment,
    event_type: &str,
    data: Value,
) -> Result<(), ApiError> {
    let entity = EntityRef::new("comment", c.id);
    enqueue(conn, c.firm_id, event_type, entity, context(c), data).await
}

pub async fn created(conn: &mut AsyncPgConnection, c: &Comment) -> Result<(), ApiError> {
    about(conn, c, COMMENT_CREATED, data(c)).await
}

pub async fn updated(conn: &mut AsyncPgConnection, c: &Comment) -> Result<(), ApiError> {
    let mut d = data(c);
    d["editedAt"] = json!(c.edited_at);
    about(conn, c, COMMENT_UPDATED, d).await
}

pub async fn deleted(conn: &mut AsyncPgConnection, c: &Comment) -> Result<(), ApiError> {
    about(conn, c, COMMENT_DELETED, data(c)).await
}

/// One `comment.mentioned` per newly mentioned user.
pub async fn mentioned(
    conn: &mut AsyncPgConnection,
    c: &Comment,
    users: &[Uuid],
) -> Result<(), ApiError> {
    for user in users {
        let d = json!({
            "commentId": c.id, "resourceType": c.resource_type, "resourceId": c.resource_id,
            "mentionedUserId": user, "authorUserId": c.author_user_id, "matterId": c.matter_id,
        });
        about(conn, c, COMMENT_MENTIONED, d).await?;
    }
    Ok(())
}
