//! The channels service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;
use lawos_http::openapi::page_schema;
use serde_json::{Value, json};

use crate::handlers::{channels, edit, events, lifecycle, participants, sms, thread};
use crate::input::{
    AddParticipant, CreateChannel, ListQuery, PageQuery, SendMessage, SmsChannel, UpdateChannel,
};
use crate::model::{Channel, Participant};

pub fn configure(cfg: &mut web::ServiceConfig) {
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
        .into_value()
}
