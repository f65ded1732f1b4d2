//! The channels service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;
use lawos_http::openapi::page_schema;
use serde_json::{Value, json};

use crate::calls::model::{Call, Join, Started};
use crate::handlers::{
    calls, channels, edit, events, lifecycle, livekit, participants, sms, thread,
};
use crate::input::{
    AddParticipant, CreateChannel, ListQuery, PageQuery, SendMessage, SmsChannel, UpdateChannel,
};
use crate::model::{Channel, Participant};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/webhooks/livekit", "/webhooks/livekit/"])
            .route(web::post().to(livekit::receive)),
    );
    cfg.service(
        web::scope("/api/v1/channels")
            .service(
                web::resource(["", "/"])
                    .route(web::get().to(channels::list))
                    .route(web::post().to(channels::create)),
            )
            .service(web::resource(["/sms", "/sms/"]).route(web::post().to(sms::find_or_create)))
            .service(
                web::resource(["/{id}", "/{id}/"])
                    .route(web::get().to(channels::get))
                    .route(web::patch().to(edit::update))
                    .route(web::delete().to(edit::delete)),
            )
            .service(
                web::resource(["/{id}/archive", "/{id}/archive/"])
                    .route(web::put().to(lifecycle::archive)),
            )
            .service(
                web::resource(["/{id}/restore", "/{id}/restore/"])
                    .route(web::put().to(lifecycle::restore)),
            )
            .service(
                web::resource(["/{id}/events", "/{id}/events/"]).route(web::get().to(events::list)),
            )
            .service(
                web::resource(["/{id}/participants", "/{id}/participants/"])
                    .route(web::get().to(participants::list))
                    .route(web::post().to(participants::add)),
            )
            .service(
                web::resource([
                    "/{id}/participants/{participant_id}",
                    "/{id}/participants/{participant_id}/",
                ])
                .route(web::delete().to(participants::remove)),
            )
            .service(
                web::resource(["/{id}/messages", "/{id}/messages/"])
                    .route(web::get().to(thread::list))
                    .route(web::post().to(thread::send)),
            )
            .service(
                web::resource(["/{id}/calls", "/{id}/calls/"])
                    .route(web::get().to(calls::list))
                    .route(web::post().to(calls::create)),
            )
            .service(
                web::resource(["/{id}/calls/{call_id}", "/{id}/calls/{call_id}/"])
                    .route(web::get().to(calls::get)),
            )
            .service(
                web::resource([
                    "/{id}/calls/{call_id}/tokens",
                    "/{id}/calls/{call_id}/tokens/",
                ])
                .route(web::post().to(calls::token)),
            ),
    );
}

/// A message as the messages service answers it (its own document describes it whole).
fn message_schema() -> Value {
    json!({
        "type": "object",
        "description": "A message, as the messages service answers it",
        "required": ["id"],
        "properties": { "id": { "type": "string", "format": "uuid" } }
    })
}

/// An audit event, as the events service answers it.
fn event_schema() -> Value {
    json!({
        "type": "object",
        "description": "An audit event (the envelope), as the events service answers it",
        "required": ["id", "type"],
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "type": { "type": "string" }
        }
    })
}

const HIDDEN: (u16, &str) = (404, "No such channel in reach");
const REFUSED: (u16, &str) = (403, "Visible but not allowed");

pub fn openapi() -> Value {
    OpenApi::new("LawOS channels")
        .op("get", "/api/v1/channels/", "List the channels the caller may see, latest activity first (filters context_type, context_id, kind, participant=me, archived; cursor)", Some("channels:read"), &[(200, "A page of channels"), (403, "No channels:read")])
        .query::<ListQuery>()
        .returns_page::<Channel>()
        .op("post", "/api/v1/channels/", "Open a channel about a matter (checked at matters), a contact (checked at contacts) or the firm (INTERNAL); the creator takes part", Some("channels:create"), &[(201, "Created"), (403, "No channels:create (or, for a contact's, no clients:read), or the matter refuses it"), (422, "Invalid fields (a contextId or contactId unknown or out of reach included)"), (503, "Matters or contacts unavailable")])
        .body::<CreateChannel>()
        .returns::<Channel>(201)
        .op("post", "/api/v1/channels/sms", "Service-only (X-Firm-Id): find or create the SMS channel of a contact (contactId) or, for an unknown number (contactId null), the firm's SMS intake channel", None, &[(200, "Found"), (201, "Created"), (403, "Not a service"), (422, "Invalid fields (contactId unknown to contacts included)"), (503, "Contacts unavailable")])
        .body::<SmsChannel>()
        .returns::<Channel>(200)
        .returns::<Channel>(201)
        .op("get", "/api/v1/channels/{id}", "Get a channel (a service token with X-Firm-Id reads any of the firm's)", Some("channels:read"), &[(200, "The channel (ETag)"), HIDDEN])
        .returns::<Channel>(200)
        .op("patch", "/api/v1/channels/{id}", "Change a channel's title", Some("channels:update"), &[(200, "Changed"), REFUSED, HIDDEN, (422, "Invalid fields")])
        .body::<UpdateChannel>()
        .returns::<Channel>(200)
        .if_match()
        .op("delete", "/api/v1/channels/{id}", "Soft-delete a channel", Some("channels:update"), &[(204, "Deleted"), REFUSED, HIDDEN])
        .op("put", "/api/v1/channels/{id}/archive", "Archive a channel (idempotent)", Some("channels:update"), &[(200, "Archived"), REFUSED, HIDDEN])
        .returns::<Channel>(200)
        .if_match()
        .op("put", "/api/v1/channels/{id}/restore", "Restore an archived channel (idempotent)", Some("channels:update"), &[(200, "Restored"), REFUSED, HIDDEN])
        .returns::<Channel>(200)
        .if_match()
        .op("get", "/api/v1/channels/{id}/events", "A channel's audit trail", Some("channels:read"), &[(200, "A page of events"), HIDDEN, (503, "Events unavailable")])
        .query::<PageQuery>()
        .content(200, "application/json", page_schema(event_schema()))
        .op("get", "/api/v1/channels/{id}/participants", "A channel's participants", Some("channels:read"), &[(200, "A page of participants"), HIDDEN])
        .query::<PageQuery>()
        .returns_page::<Participant>()
        .op("post", "/api/v1/channels/{id}/participants", "Add a participant (a firm user, or a contact checked at contacts, with its E.164 phone on SMS channels)", Some("channels:update"), &[(201, "Added"), REFUSED, HIDDEN, (409, "Takes part already"), (422, "Invalid fields (contactId unknown included)"), (503, "Contacts unavailable")])
        .body::<AddParticipant>()
        .returns::<Participant>(201)
        .op("delete", "/api/v1/channels/{id}/participants/{participantId}", "Remove a participant", Some("channels:update"), &[(204, "Removed"), REFUSED, (404, "No such channel or participant")])
        .op("get", "/api/v1/channels/{id}/messages", "The channel's thread, newest first, from the messages service (as the caller)", Some("messages:read"), &[(200, "A page of messages"), (400, "Bad parameters"), REFUSED, HIDDEN, (422, "Bad parameters"), (503, "Messages unavailable")])
        .query::<PageQuery>()
        .content(200, "application/json", page_schema(message_schema()))
        .op("post", "/api/v1/channels/{id}/messages", "Send a message in the channel: written by the messages service as the caller", Some("messages:create"), &[(201, "Sent"), (400, "Refused by messages"), REFUSED, HIDDEN, (409, "The channel is archived"), (422, "Invalid fields"), (503, "Messages unavailable")])
        .body::<SendMessage>()
        .content(201, "application/json", message_schema())
        .op("post", "/api/v1/channels/{id}/calls", "Open a call in the channel: a LiveKit room, and the caller's join token (publishing)", Some("messages:create"), &[(201, "Opened"), (403, "Not allowed, or not a user"), HIDDEN, (409, "The channel is archived"), (503, "LiveKit not configured (LIVEKIT_NOT_CONFIGURED) or unavailable")])
        .returns::<Started>(201)
        .op("get", "/api/v1/channels/{id}/calls", "The channel's calls, newest first", Some("channels:read"), &[(200, "A page of calls"), HIDDEN])
        .query::<PageQuery>()
        .returns_page::<Call>()
        .op("get", "/api/v1/channels/{id}/calls/{callId}", "A call: participants, started, ended, duration", Some("channels:read"), &[(200, "The call"), (404, "No such channel or call")])
        .returns::<Call>(200)
        .op("post", "/api/v1/channels/{id}/calls/{callId}/tokens", "A join token for the caller (who may see the channel; publishing with messages:create)", Some("channels:read"), &[(201, "The token"), (403, "Not a user"), (404, "No such channel or call"), (409, "The call has ended"), (503, "LiveKit not configured")])
        .returns::<Join>(201)
        .op("post", "/webhooks/livekit/", "LiveKit's webhooks (Authorization: a JWT signed with the API secret carrying the body's SHA-256); each event id applied once", None, &[(200, "Received (applied or not)"), (400, "Not a LiveKit event"), (401, "Signature missing or wrong; nothing stored"), (503, "LiveKit not configured")])
        .public()
        .request("application/webhook+json", json!({ "type": "object", "required": ["event", "id"], "properties": { "event": { "type": "string" }, "id": { "type": "string" } } }))
        .content(200, "application/json", json!({ "type": "object", "required": ["applied"], "properties": { "applied": { "type": "boolean" } } }))
        .into_value()
}
