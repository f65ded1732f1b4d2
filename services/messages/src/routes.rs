//! The messages service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::comments::model::{CommentView, ThreadView};
use crate::handlers::{
    comment_edit, comments, edit, list, message, search, send, sms_numbers, webhook,
};
use crate::input::PageQuery;
use crate::input::comments::{CreateComment, EditComment};
use crate::input::messages::{EditMessage, MessageQuery, SearchQuery, SendMessage};
use crate::input::sms_numbers::AddNumber;
use crate::model::{Message, MessageWithEdits, NumberList, SearchHit, SmsNumber};
use crate::sms::inbound::Taken;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/webhooks/telephony", "/webhooks/telephony/"])
            .route(web::post().to(webhook::receive)),
    );
    cfg.service(
        web::scope("/api/v1/messages")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(list::list))
                    .route(web::post().to(send::send)),
            )
            .service(web::resource(["/search", "/search/"]).route(web::get().to(search::search)))
            .service(
                web::resource(["/sms-numbers", "/sms-numbers/"])
                    .route(web::get().to(sms_numbers::list))
                    .route(web::post().to(sms_numbers::add)),
            )
            .service(
                web::resource(["/sms-numbers/{id}", "/sms-numbers/{id}/"])
                    .route(web::delete().to(sms_numbers::remove)),
            )
            .service(
                web::resource([
                    "/comments/{resource_type}/{resource_id}",
                    "/comments/{resource_type}/{resource_id}/",
                ])
                .route(web::get().to(comments::list))
                .route(web::post().to(comments::create)),
            )
            .service(
                web::resource(["/comments/{id}", "/comments/{id}/"])
                    .route(web::patch().to(comment_edit::update))
                    .route(web::delete().to(comment_edit::delete)),
            )
            .service(
                web::resource(["/{id}", "/{id}/"])
                    .route(web::get().to(message::get))
                    .route(web::patch().to(edit::update))
                    .route(web::delete().to(message::delete)),
            )
            .service(
                web::resource(["/{id}/events", "/{id}/events/"])
                    .route(web::get().to(message::events)),
            ),
    );
}

const UNAVAILABLE: (u16, &str) = (503, "Channels (or contacts) unavailable");
const HIDDEN: (u16, &str) = (404, "No such message in reach (its context or channel)");
const PARENT: (u16, &str) = (
    404,
    "No such resource in reach (unknown type, hidden or missing parent)",
);
const OWNER_DOWN: (u16, &str) = (
    503,
    "The resource's owner (matters, contacts, documents, tasks, billing) or auth unavailable",
);

pub fn openapi() -> serde_json::Value {
    OpenApi::new("LawOS messages")
        .op("get", "/api/v1/messages/", "A channel's thread (channel_id), or every message of a matter or contact (context_type + context_id), newest first", Some("messages:read"), &[(200, "A page of messages"), (403, "No messages:read"), (404, "The channel, matter or contact is not in reach"), UNAVAILABLE])
        .query::<MessageQuery>()
        .returns_page::<Message>()
        .op("post", "/api/v1/messages/", "Write a message in a channel (INTERNAL on internal channels, OUTBOUND otherwise; an SMS is queued for sending, or FAILED at once when SMS is not set up); message.sent", Some("messages:create"), &[(201, "Written"), (403, "No messages:create on the channel's context"), (409, "The channel is archived"), (422, "Invalid fields (channelId unknown or hidden, SMS too long or without recipient, included)"), UNAVAILABLE])
        .body::<SendMessage>()
        .returns::<Message>(201)
        .op("get", "/api/v1/messages/search", "Full-text search (websearch syntax) over the messages the caller may see, best rank first, with highlighted snippets", Some("messages:read"), &[(200, "A page of hits"), (403, "No messages:read"), (422, "q missing or too long, bad limit")])
        .query::<SearchQuery>()
        .returns_page::<SearchHit>()
        .op("get", "/api/v1/messages/{id}", "A message with its previous bodies", Some("messages:read"), &[(200, "The message"), (403, "No messages:read"), HIDDEN, UNAVAILABLE])
        .returns::<MessageWithEdits>(200)
        .op("patch", "/api/v1/messages/{id}", "Change a message's body (its sender only; the old body is kept; not for SMS)", Some("messages:create"), &[(200, "Changed"), (403, "Not the sender, or no messages:create"), HIDDEN, (409, "An SMS is not changed"), (422, "Invalid body"), UNAVAILABLE])
        .if_match()
        .body::<EditMessage>()
        .returns::<MessageWithEdits>(200)
        .op("delete", "/api/v1/messages/{id}", "Soft-delete a message (its sender, or a firm administrator)", Some("messages:read"), &[(204, "Deleted"), (403, "Neither the sender nor a firm administrator"), HIDDEN, UNAVAILABLE])
        .op("get", "/api/v1/messages/{id}/events", "A message's audit trail", Some("messages:read"), &[(200, "A page of events"), (403, "No messages:read"), HIDDEN, (503, "Channels or events unavailable")])
        .query::<PageQuery>()
        .op("get", "/api/v1/messages/sms-numbers", "The firm's SMS numbers", Some("users:update"), &[(200, "The numbers"), (403, "Not a firm administrator")])
        .returns::<NumberList>(200)
        .op("post", "/api/v1/messages/sms-numbers", "Add a number the firm sends and receives SMS on (E.164, unique on the platform)", Some("users:update"), &[(201, "Added"), (403, "Not a firm administrator"), (409, "The number is in use (by this or another firm)"), (422, "Invalid fields")])
        .body::<AddNumber>()
        .returns::<SmsNumber>(201)
        .op("delete", "/api/v1/messages/sms-numbers/{id}", "Stop using a number", Some("users:update"), &[(204, "Removed"), (403, "Not a firm administrator"), (404, "No such number in use")])
        .op("get", "/api/v1/messages/comments/{resourceType}/{resourceId}", "Comments on a MATTER (or CASE), CLIENT, DOCUMENT, APPOINTMENT or TIME_ENTRY: top-level comments oldest first, each with its replies", Some("comments:read"), &[(200, "A page of threads"), (403, "No comments:read"), PARENT, OWNER_DOWN])
        .query::<PageQuery>()
        .returns_page::<ThreadView>()
        .op("post", "/api/v1/messages/comments/{resourceType}/{resourceId}", "Comment (or reply to a top-level comment); @[Name](userId) mentions firm members (comment.mentioned each)", Some("comments:create"), &[(201, "Added"), (403, "No comments:create, or not a user"), PARENT, (422, "Invalid fields (a mention of a non-member, a bad parentId, included)"), OWNER_DOWN])
        .body::<CreateComment>()
        .returns::<CommentView>(201)
        .op("patch", "/api/v1/messages/comments/{commentId}", "Change a comment's body (its author only; previous bodies kept)", Some("comments:update"), &[(200, "Changed, with its previous bodies"), (403, "Not the author, or no comments:update"), (404, "No such comment in reach"), (422, "Invalid body (a mention of a non-member included)"), OWNER_DOWN])
        .if_match()
        .body::<EditComment>()
        .returns::<CommentView>(200)
        .op("delete", "/api/v1/messages/comments/{commentId}", "Soft-delete a comment (its author, or a firm administrator)", Some("comments:read"), &[(204, "Deleted"), (403, "Neither the author nor a firm administrator"), (404, "No such comment in reach"), OWNER_DOWN])
        .op("post", "/webhooks/telephony/", "Telnyx messaging webhook (telnyx-signature-ed25519 over \"{telnyx-timestamp}|{body}\"): inbound SMS become INBOUND messages on the contact's SMS channel (or the firm's intake channel), receipts update delivery; each event id taken once", None, &[(200, "Taken in, a duplicate, or ignored (see status)"), (400, "Not a Telnyx event"), (401, "Signature missing, wrong or outside the tolerance; nothing stored"), (422, "A messaging event without the message Telnyx documents"), (503, "LAWOS_TELNYX_PUBLIC_KEY not set (details.reason TELNYX_NOT_CONFIGURED), or contacts/channels unavailable; nothing stored")])
        .public()
        .header("telnyx-signature-ed25519", "base64 Ed25519 signature of \"{telnyx-timestamp}|{raw body}\"")
        .header("telnyx-timestamp", "Unix seconds the delivery was signed at")
        .request("application/json", serde_json::json!({ "type": "object", "required": ["data"], "properties": { "data": { "type": "object", "required": ["id", "event_type"], "properties": { "id": { "type": "string" }, "event_type": { "type": "string" }, "occurred_at": { "type": "string" }, "payload": { "type": "object" } } } } }))
        .returns::<Taken>(200)
        .into_value()
}
