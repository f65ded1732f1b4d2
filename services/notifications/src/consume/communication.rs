//! Events of messages and comments.

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use lawos_events::EventEnvelope;

use super::compose::{Audience, Plan, data, draft, plan};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSent {
    message_id: Uuid,
    channel_id: Uuid,
    context_type: Option<String>,
    context_id: Option<Uuid>,
    direction: Option<String>,
    kind: Option<String>,
    sender_user_id: Option<Uuid>,
    #[serde(default)]
    participant_user_ids: Vec<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentMentioned {
    comment_id: Uuid,
    resource_type: String,
    resource_id: Uuid,
    mentioned_user_id: Uuid,
    author_user_id: Option<Uuid>,
    matter_id: Option<Uuid>,
}

fn is_matter(context_type: Option<&str>) -> bool {
    context_type.is_some_and(|t| t.eq_ignore_ascii_case("matter") || t.eq_ignore_ascii_case("case"))
}

/// The plan for a messages event; `None` for other types.
pub fn plan_for(event: &EventEnvelope) -> anyhow::Result<Option<Plan>> {
    Ok(Some(match event.event_type.as_str() {
        "message.sent" => {
            let d: MessageSent = data(event)?;
            let matter = d
                .context_id
                .filter(|_| is_matter(d.context_type.as_deref()));
            let mut draft = draft(
                "message.sent",
                "New message".to_owned(),
                "A new message arrived in a conversation you take part in.".to_owned(),
                ("CHANNEL", d.channel_id),
                matter,
                json!({ "channelId": d.channel_id, "lastMessageId": d.message_id, "contextType": d.context_type, "contextId": d.context_id, "direction": d.direction, "kind": d.kind }),
            )?;
            draft.group_key = Some(format!("message.sent:{}", d.channel_id));
            let mut p = plan(draft, Audience::Users(d.participant_user_ids));
            p.exclude.extend(d.sender_user_id);
            p
        }
        "comment.mentioned" => {
            let d: CommentMentioned = data(event)?;
            let mut p = plan(
                draft(
                    "comment.mentioned",
                    "You were mentioned in a comment".to_owned(),
                    "Someone mentioned you in a comment.".to_owned(),
                    ("COMMENT", d.comment_id),
                    d.matter_id,
                    json!({ "commentId": d.comment_id, "resourceType": d.resource_type, "resourceId": d.resource_id, "authorUserId": d.author_user_id }),
                )?,
                Audience::Users(vec![d.mentioned_user_id]),
            );
            p.exclude.extend(d.author_user_id);
            p
        }
        _ => return Ok(None),
    }))
}
