//! The events service's routes (trailing slashes optional) and their OpenAPI description.

use actix_web::web;
use lawos_http::OpenApi;

use crate::handlers::{events, verify};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/events")
            .service(web::resource(["", "/"]).route(web::get().to(events::list)))
            .service(web::resource(["/verify", "/verify/"]).route(web::get().to(verify::verify)))
            .service(
                web::resource([
                    "/entities/{entity_type}/{entity_id}",
                    "/entities/{entity_type}/{entity_id}/",
                ])
                .route(web::get().to(events::entity_history)),
            )
            .service(
                web::resource(["/{event_id}", "/{event_id}/"]).route(web::get().to(events::get)),
            ),
    );
}

pub fn openapi() -> serde_json::Value {
    OpenApi::new("LawOS events")
        .op(
            "get",
            "/api/v1/events/",
            "The firm's audit log, newest first (filters: entity_type, entity_id, event_type, actor, since, until; cursor pagination)",
            Some("audit:read"),
            &[
                (200, "A page of events"),
                (401, "No or bad token"),
                (403, "Missing scope"),
                (422, "Invalid filter"),
            ],
        )
        .op(
            "get",
            "/api/v1/events/{eventId}",
            "One event",
            Some("audit:read"),
            &[(200, "The event"), (403, "Missing scope"), (404, "No such event in the firm")],
        )
        .op(
            "get",
            "/api/v1/events/entities/{entityType}/{entityId}",
            "An entity's history, newest first (also for service principals with X-Firm-Id)",
            Some("audit:read"),
            &[(200, "A page of events"), (403, "Missing scope")],
        )
        .op(
            "get",
            "/api/v1/events/verify",
            "Recompute the firm's hash chain; reports the first broken link",
            Some("audit:verify"),
            &[(200, "{valid, checked, firstBrokenAt}"), (403, "Missing scope")],
        )
        .into_value()
}
