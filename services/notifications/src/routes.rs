//! The notifications service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;
use serde_json::json;

use crate::catalogue::Kind;
use crate::handlers::firm::FirmSettingsView;
use crate::handlers::preferences::PreferencesView;
use crate::handlers::read::{MarkedAll, UnreadCount};
use crate::handlers::socket::{SocketQuery, Ticket};
use crate::handlers::{firm, list, preferences, read, socket, types};
use crate::input::{FirmSettingsBody, ListQuery, PreferencesBody};
use crate::model::{DeliveryView, NotificationView};

fn paths(p: &str) -> [String; 2] {
    [p.to_owned(), format!("{p}/")]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/notifications")
            .service(web::resource(["", "/"]).route(web::get().to(list::list)))
            .service(web::resource(paths("/unread-count")).route(web::get().to(read::unread_count)))
            .service(web::resource(paths("/mark-all-read")).route(web::post().to(read::mark_all)))
            .service(web::resource(paths("/types")).route(web::get().to(types::list)))
            .service(
                web::resource(paths("/preferences"))
                    .route(web::get().to(preferences::get))
                    .route(web::put().to(preferences::put)),
            )
            .service(
                web::resource(paths("/firm-settings"))
                    .route(web::get().to(firm::get))
                    .route(web::put().to(firm::put)),
            )
            .service(web::resource(paths("/ws")).route(web::get().to(socket::socket)))
            .service(web::resource(paths("/ws-ticket")).route(web::post().to(socket::issue_ticket)))
            .service(web::resource(paths("/{id}")).route(web::get().to(list::get)))
            .service(web::resource(paths("/{id}/read")).route(web::post().to(read::read_one)))
            .service(
                web::resource(paths("/{id}/deliveries")).route(web::get().to(list::deliveries)),
            ),
    );
}

const READ: Option<&str> = Some("notifications:read");
const UPDATE: Option<&str> = Some("notifications:update");
const ADMIN: Option<&str> = Some("FIRM_ADMIN (or firms:update)");
const MINE: (u16, &str) = (
    404,
    "Not one of the caller's notifications, or no longer visible to them",
);

pub fn openapi() -> serde_json::Value {
    let deliveries = json!({
        "type": "object", "required": ["data"],
        "properties": { "data": { "type": "array", "items": lawos_http::openapi::schema_of::<DeliveryView>() } }
    });
    let kinds = json!({
        "type": "object", "required": ["data"],
        "properties": { "data": { "type": "array", "items": lawos_http::openapi::schema_of::<Kind>() } }
    });
    OpenApi::new("LawOS notifications")
        .op("get", "/api/v1/notifications/", "The caller's notifications, newest first (unread=true, type=, cursor)", READ, &[(200, "A page of notifications"), (403, "No notifications:read, or not a user")])
        .query::<ListQuery>()
        .returns_page::<NotificationView>()
        .op("get", "/api/v1/notifications/unread-count", "How many of the caller's notifications are unread (and visible)", READ, &[(200, "The count"), (403, "No notifications:read, or not a user")])
        .returns::<UnreadCount>(200)
        .op("post", "/api/v1/notifications/mark-all-read", "Mark every unread notification of the caller read (one statement; again: 0 marked)", UPDATE, &[(200, "Marked"), (403, "No notifications:update, or not a user")])
        .returns::<MarkedAll>(200)
        .op("get", "/api/v1/notifications/types", "The notification types (category, mandatory, default channels, scope)", READ, &[(200, "The types"), (403, "No notifications:read")])
        .content(200, "application/json", kinds)
        .op("get", "/api/v1/notifications/preferences", "The caller's preferences: settings and every type × channel with its source", READ, &[(200, "The preferences (ETag)"), (403, "No notifications:read, or not a user")])
        .returns::<PreferencesView>(200)
        .op("put", "/api/v1/notifications/preferences", "Replace the caller's preferences (time zone, quiet hours, digest, switches); mandatory notices cannot be turned off", UPDATE, &[(200, "Replaced (ETag)"), (403, "No notifications:update, or not a user"), (422, "Invalid fields, each named (a mandatory notice turned off included)")])
        .body::<PreferencesBody>()
        .if_match()
        .returns::<PreferencesView>(200)
        .op("get", "/api/v1/notifications/firm-settings", "The firm's sender, time zone and defaults", ADMIN, &[(200, "The settings (ETag)"), (403, "Not the firm's administrator")])
        .returns::<FirmSettingsView>(200)
        .op("put", "/api/v1/notifications/firm-settings", "Replace the firm's sender, time zone and defaults", ADMIN, &[(200, "Replaced (ETag)"), (403, "Not the firm's administrator"), (422, "Invalid fields, each named")])
        .body::<FirmSettingsBody>()
        .if_match()
        .returns::<FirmSettingsView>(200)
        .op("get", "/api/v1/notifications/ws", "The caller's live notifications (WebSocket: token in Authorization, in Sec-WebSocket-Protocol `lawos.bearer, <token>`, or ?ticket=); frames hello, notification.created, notification.updated, unread_count; closed at token expiry (AUTH_TOKEN_EXPIRED) or deactivation (USER_DEACTIVATED)", READ, &[(101, "Switching protocols"), (400, "Not a WebSocket upgrade"), (401, "Token missing, invalid or expired, or the ticket unknown or used (the envelope)"), (403, "No notifications:read, not a user, or deactivated"), (503, "Redis unavailable (tickets)")])
        .query::<SocketQuery>()
        .header("Sec-WebSocket-Protocol", "`lawos.bearer, <access token>` (browsers)")
        .op("post", "/api/v1/notifications/ws-ticket", "A single-use ticket for the socket, valid for seconds", READ, &[(201, "The ticket"), (403, "No notifications:read, or not a user"), (503, "Redis unavailable")])
        .returns::<Ticket>(201)
        .op("get", "/api/v1/notifications/{id}", "One of the caller's notifications", READ, &[(200, "The notification"), (403, "No notifications:read"), MINE])
        .returns::<NotificationView>(200)
        .op("post", "/api/v1/notifications/{id}/read", "Mark one notification read (again: unchanged)", UPDATE, &[(200, "Read"), (403, "No notifications:update"), MINE])
        .returns::<NotificationView>(200)
        .op("get", "/api/v1/notifications/{id}/deliveries", "Its deliveries by e-mail and SMS (QUEUED, SENT, FAILED)", READ, &[(200, "The deliveries"), (403, "No notifications:read"), MINE])
        .content(200, "application/json", deliveries)
        .into_value()
}
